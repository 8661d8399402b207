/**
 * conmon's k8s-file log records: `<RFC 3339 time with offset> <stdout|stderr> <P|F> <text>\n`.
 * `P` is a piece of a line continued by the next record of the same stream; `F` ends it.
 */
import { open } from 'node:fs/promises';

export interface LogRecord {
  /** Nanoseconds since the epoch. */
  timeNano: bigint;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  text: Buffer;
}

const TIME_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

export function parseLogTime(s: string): bigint | undefined {
  const m = TIME_RE.exec(s);
  if (m === null) return undefined;
  const zone = m[3] ?? 'Z';
  const ms = Date.parse(`${m[1] ?? ''}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
  if (Number.isNaN(ms)) return undefined;
  const frac = (m[2] ?? '').padEnd(9, '0');
  return BigInt(ms) * 1_000_000n + BigInt(frac);
}

/** RFC 3339 in UTC with exactly nine fraction digits, like `docker logs -t`. */
export function formatLogTime(timeNano: bigint): string {
  const seconds = timeNano / 1_000_000_000n;
  const nanos = timeNano % 1_000_000_000n;
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${base}.${nanos.toString().padStart(9, '0')}Z`;
}

/** Undefined for a malformed record (skipped by readers). */
export function parseLogRecord(line: Buffer): LogRecord | undefined {
  const s1 = line.indexOf(32);
  if (s1 === -1) return undefined;
  const s2 = line.indexOf(32, s1 + 1);
  if (s2 === -1) return undefined;
  const s3 = line.indexOf(32, s2 + 1);
  const timeNano = parseLogTime(line.subarray(0, s1).toString('latin1'));
  const stream = line.subarray(s1 + 1, s2).toString('latin1');
  const tag = line.subarray(s2 + 1, s3 === -1 ? line.length : s3).toString('latin1');
  if (timeNano === undefined || (stream !== 'stdout' && stream !== 'stderr')) return undefined;
  return { timeNano, stream, partial: tag.split(':').includes('P'), text: s3 === -1 ? Buffer.alloc(0) : line.subarray(s3 + 1) };
}

function recordTag(rec: Buffer): 'P' | 'F' | undefined {
  const parsed = parseLogRecord(rec);
  if (parsed === undefined) return undefined;
  return parsed.partial ? 'P' : 'F';
}

const CHUNK = 64 * 1024;

/**
 * The byte offset where the last `lines` complete lines begin (a trailing unfinished line counts
 * as one), found by reading the file backwards. 0 when the file has fewer lines or is missing.
 */
export async function tailOffset(path: string, lines: number): Promise<number> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  try {
    const size = (await fh.stat()).size;
    if (lines <= 0) return size;
    let buf = Buffer.alloc(0);
    let bufStart = size;
    const load = async (): Promise<boolean> => {
      if (bufStart === 0) return false;
      const len = Math.min(CHUNK, bufStart);
      const b = Buffer.alloc(len);
      await fh.read(b, 0, len, bufStart - len);
      buf = Buffer.concat([b, buf]);
      bufStart -= len;
      return true;
    };
    /** Absolute index of the last newline before `limit`, or -1. */
    const lastNewline = async (limit: number): Promise<number> => {
      for (;;) {
        const rel = limit - bufStart;
        const i = rel > 0 ? buf.lastIndexOf(10, rel - 1) : -1;
        if (i !== -1) return bufStart + i;
        if (!(await load())) return -1;
      }
    };
    // Bytes after the last newline are a record still being written: not a line yet.
    let recEnd = (await lastNewline(size)) + 1;
    let count = 0;
    let trailingCounted = false;
    let seenFinal = false;
    while (recEnd > 0) {
      const recStart = (await lastNewline(recEnd - 1)) + 1;
      const tag = recordTag(buf.subarray(recStart - bufStart, recEnd - 1 - bufStart));
      if (tag === 'F') {
        if (count === lines) return recEnd;
        count++;
        seenFinal = true;
      } else if (tag === 'P' && !seenFinal && !trailingCounted) {
        trailingCounted = true;
        count++;
      }
      recEnd = recStart;
      buf = buf.subarray(0, recEnd - bufStart);
    }
    return 0;
  } finally {
    await fh.close();
  }
}
