/**
 * Reading conmon's k8s-file container logs: whole lines for `logs` (readContainerLogs) and raw
 * output bytes for `attach` (followLogOutput).
 */
import { stat } from 'node:fs/promises';
import type { LogLine, LogOptions } from '../../engine.js';
import { secondsToNanos } from './event-log.js';
import { FileWaiter, isAborted } from './file-waiter.js';
import { formatLogTime, parseLogRecord, tailOffset, type LogRecord } from './k8s-log-format.js';
import { LineCursor } from './line-cursor.js';

export interface ContainerLogOptions extends LogOptions {
  /** Following ends once this is false and the file is fully read. */
  isRunning: () => Promise<boolean>;
}

/** After the container stopped, conmon may still be flushing: wait this long for late output. */
const DRAIN_GRACE_MS = 60;

/**
 * Lines of slack read before the tail: pieces of a line interleaved with the other stream's
 * lines start before the plain count says.
 */
const TAIL_SLACK = 16;

type Step = { kind: 'records'; records: LogRecord[] } | { kind: 'caught-up' } | { kind: 'end' };

/**
 * Yields the records of a log from `offset`, following appends (and truncation or replacement of
 * the file) while asked to, `caught-up` whenever it reached the end of the file, then `end` once: at EOF without follow, when `isRunning()` is false
 * and nothing more arrived within a short grace, or on abort.
 */
async function* records(
  path: string,
  offset: number,
  follow: { isRunning: () => Promise<boolean>; signal?: AbortSignal; until?: bigint } | undefined,
): AsyncGenerator<Step> {
  let cursor = await LineCursor.open(path, offset);
  const waiter = follow !== undefined ? new FileWaiter(path, 100) : undefined;
  let stopping = false;
  try {
    for (;;) {
      if (isAborted(follow?.signal)) break;
      if (cursor !== undefined) {
        const size = await stat(path).then((s) => ({ size: s.size, ino: s.ino }), () => undefined);
        if (size !== undefined && (size.ino !== (await cursor.inode()) || size.size < cursor.offset)) {
          // Replaced or truncated: finish the old file only if it was replaced, then start over.
          if (size.ino !== (await cursor.inode())) {
            const rest = await cursor.readLines();
            if (rest.length > 0) yield { kind: 'records', records: parse(rest) };
            await cursor.close();
            cursor = await LineCursor.open(path, 0);
          } else {
            cursor.reset(0);
          }
        }
      } else if (follow !== undefined) {
        cursor = await LineCursor.open(path, 0);
      }
      const lines = cursor !== undefined ? await cursor.readLines() : [];
      if (lines.length > 0) {
        stopping = false;
        yield { kind: 'records', records: parse(lines) };
        continue;
      }
      if (follow === undefined) break;
      yield { kind: 'caught-up' };
      if (follow.until !== undefined && BigInt(Date.now()) * 1_000_000n > follow.until) break;
      if (stopping) break;
      if (!(await follow.isRunning())) {
        stopping = true;
        await waiter?.wait(follow.signal, DRAIN_GRACE_MS);
        continue;
      }
      await waiter?.wait(follow.signal);
    }
    yield { kind: 'end' };
  } finally {
    waiter?.close();
    await cursor?.close();
  }
}

function parse(lines: Buffer[]): LogRecord[] {
  const out: LogRecord[] = [];
  for (const l of lines) {
    const r = parseLogRecord(l);
    if (r !== undefined) out.push(r);
  }
  return out;
}

export function readContainerLogs(path: string, opts: ContainerLogOptions): AsyncIterable<LogLine> {
  return logLines(path, opts);
}

interface PendingLine { stream: 'stdout' | 'stderr'; timeNano: bigint; parts: Buffer[] }

async function* logLines(path: string, opts: ContainerLogOptions): AsyncGenerator<LogLine> {
  const since = opts.since !== undefined ? secondsToNanos(opts.since) : undefined;
  const until = opts.until !== undefined ? secondsToNanos(opts.until) : undefined;
  const tail = opts.tail !== undefined ? Math.max(0, Math.floor(opts.tail)) : undefined;
  const start = tail === undefined ? 0 : tail === 0 ? await logFileSize(path) : await tailOffset(path, tail + TAIL_SLACK);
  const follow = opts.follow
    ? { isRunning: opts.isRunning, ...(opts.signal !== undefined ? { signal: opts.signal } : {}), ...(until !== undefined ? { until } : {}) }
    : undefined;
  // Like Docker, tail picks the last lines first; since/until then filter those.
  const make = (l: PendingLine): LogLine | undefined => {
    if ((since !== undefined && l.timeNano < since) || (until !== undefined && l.timeNano > until)) return undefined;
    const text = Buffer.concat(l.parts).toString('utf8');
    return { stream: l.stream, text, ...(opts.timestamps ? { timestamp: formatLogTime(l.timeNano) } : {}) };
  };
  // Pieces of a line not finished yet, per stream (stdout and stderr records interleave).
  const pending = new Map<'stdout' | 'stderr', PendingLine>();
  // Until the first catch-up with a tail: the last complete lines, not yet shown.
  let held: PendingLine[] | undefined = tail !== undefined ? [] : undefined;
  const release = (): PendingLine[] => {
    const lines = held ?? [];
    held = undefined;
    // An unfinished line at the end counts as one of the tail's lines.
    const keep = Math.max(0, (tail ?? 0) - pending.size);
    return keep === 0 ? [] : lines.slice(-keep);
  };
  for await (const step of records(path, start, follow)) {
    if (step.kind === 'end') break;
    if (step.kind === 'caught-up') {
      for (const l of release()) {
        const line = make(l);
        if (line !== undefined) yield line;
      }
      continue;
    }
    for (const r of step.records) {
      const open = pending.get(r.stream);
      if (r.partial) {
        if (open !== undefined) open.parts.push(r.text);
        else pending.set(r.stream, { stream: r.stream, timeNano: r.timeNano, parts: [r.text] });
        continue;
      }
      pending.delete(r.stream);
      // A line carries the time its first piece was written.
      const done: PendingLine = open !== undefined ? { ...open, parts: [...open.parts, r.text] } : { stream: r.stream, timeNano: r.timeNano, parts: [r.text] };
      if (held !== undefined) {
        held.push(done);
        if (held.length > 2 * (tail ?? 0) + TAIL_SLACK) held.splice(0, held.length - (tail ?? 0));
        continue;
      }
      const line = make(done);
      if (line !== undefined) yield line;
      if (isAborted(opts.signal)) return;
    }
  }
  if (isAborted(opts.signal)) return;
  const last = [...release(), ...(['stdout', 'stderr'] as const).map((s) => pending.get(s)).filter((l): l is PendingLine => l !== undefined)];
  // The container's last output without a final newline is still a line.
  for (const l of last) {
    const line = make(l);
    if (line !== undefined) yield line;
  }
}

export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  /** Raw bytes as the container wrote them: a finished line ends with `\n`, a piece does not. */
  data: Buffer;
}

export interface FollowOutputOptions {
  /** Byte offset to start at: `await logFileSize(path)` taken before the container starts. */
  offset: number;
  isRunning: () => Promise<boolean>;
  signal?: AbortSignal;
}

/** The current size of a log file (0 when missing): where an attach starts reading. */
export async function logFileSize(path: string): Promise<number> {
  return stat(path).then((s) => s.size, (err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return 0;
    throw err;
  });
}

/**
 * Everything written to the log from `offset` on, as raw stdout/stderr bytes, until the
 * container is not running and the file is fully read (or `signal` aborts). For attach:
 * take `logFileSize()` first, signal "attached", start the container, then iterate.
 */
export function followLogOutput(path: string, opts: FollowOutputOptions): AsyncIterable<OutputChunk> {
  return outputChunks(path, opts);
}

async function* outputChunks(path: string, opts: FollowOutputOptions): AsyncGenerator<OutputChunk> {
  const follow = { isRunning: opts.isRunning, ...(opts.signal !== undefined ? { signal: opts.signal } : {}) };
  for await (const step of records(path, opts.offset, follow)) {
    if (step.kind === 'end') return;
    if (step.kind === 'caught-up') continue;
    for (const r of step.records) {
      yield { stream: r.stream, data: r.partial ? r.text : Buffer.concat([r.text, Buffer.from('\n')]) };
      if (isAborted(opts.signal)) return;
    }
  }
}
