import type { Duplex, Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { AttachOptions, ExecOptions, ExecResult, LogLine, LogOptions } from '../engine.js';
import { call, isAborted, toEngineError } from './errors.js';
import { demuxFrames, framesToLines } from './log-stream.js';
import type { Frame } from './log-stream.js';

async function isTty(docker: Docker, ref: string): Promise<{ tty: boolean; state: string; startedAt: number }> {
  const info = await call('inspect container', ref, () => docker.getContainer(ref).inspect());
  return { tty: info.Config.Tty, state: info.State.Status, startedAt: Date.parse(info.State.StartedAt) || 0 };
}

async function* chunksOf(source: Readable | Buffer): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(source)) {
    yield source;
    return;
  }
  for await (const chunk of source) yield chunk as Buffer;
}

/** Ends iteration quietly when the consumer aborted; any other failure becomes an EngineError. */
async function* guarded<T>(source: AsyncIterable<T>, operation: string, ref: string, signal?: AbortSignal): AsyncGenerator<T> {
  try {
    for await (const item of source) {
      if (isAborted(signal)) return;
      yield item;
    }
  } catch (err) {
    if (isAborted(signal)) return;
    throw toEngineError(err, operation, ref);
  }
}

export async function* containerLogs(docker: Docker, ref: string, opts: LogOptions): AsyncGenerator<LogLine> {
  if (isAborted(opts.signal)) return;
  const { tty } = await isTty(docker, ref);
  const query = {
    follow: opts.follow,
    stdout: true,
    stderr: true,
    timestamps: opts.timestamps,
    tail: opts.tail === undefined ? 'all' : String(opts.tail),
    ...(opts.since === undefined ? {} : { since: opts.since }),
    ...(opts.until === undefined ? {} : { until: opts.until }),
    ...(opts.signal === undefined ? {} : { abortSignal: opts.signal }),
  };
  let raw: Readable | Buffer;
  try {
    raw = await call('read logs of container', ref, () => docker.getContainer(ref).logs(query as unknown as Docker.ContainerLogsOptions & { follow: false }) as unknown as Promise<Readable | Buffer>);
  } catch (err) {
    if (isAborted(opts.signal)) return;
    throw err;
  }
  const stream = Buffer.isBuffer(raw) ? undefined : raw;
  const onAbort = (): void => void stream?.destroy();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    yield* guarded(framesToLines(demuxFrames(chunksOf(raw), tty), opts.timestamps), 'read logs of container', ref, opts.signal);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    stream?.destroy();
  }
}

/** Copies frames to the given sinks; resolves when the stream ends. */
async function pump(source: AsyncIterable<Buffer>, tty: boolean, out: (frame: Frame) => void): Promise<void> {
  for await (const frame of demuxFrames(source, tty)) out(frame);
}

function writeTo(sink: NodeJS.WritableStream, data: Buffer): void {
  sink.write(data);
}

export async function execInContainer(docker: Docker, ref: string, opts: ExecOptions): Promise<ExecResult> {
  const tty = opts.tty ?? false;
  const attachOutput = opts.detach !== true;
  const exec = await call('exec in container', ref, () => docker.getContainer(ref).exec({
    Cmd: opts.command,
    AttachStdin: opts.stdin !== undefined && attachOutput,
    AttachStdout: attachOutput,
    AttachStderr: attachOutput,
    Tty: tty,
    ...(opts.env === undefined ? {} : { Env: opts.env }),
    ...(opts.user === undefined ? {} : { User: opts.user }),
    ...(opts.workingDir === undefined ? {} : { WorkingDir: opts.workingDir }),
    ...(opts.privileged === undefined ? {} : { Privileged: opts.privileged }),
  }));
  if (!attachOutput) {
    const response = await call('exec in container', ref, () => exec.start({ Detach: true, Tty: tty }));
    // The (empty) response body must be drained or its socket keeps the process alive.
    response.resume();
    return { exitCode: 0 };
  }
  const stream = await call('exec in container', ref, () => exec.start({ hijack: true, stdin: opts.stdin !== undefined, Tty: tty }));
  if (opts.stdin !== undefined) {
    // Closing our write side tells the daemon stdin is done; the output keeps flowing.
    opts.stdin.on('end', () => stream.end());
    opts.stdin.pipe(stream, { end: false });
  }
  const collected: Buffer[] = [];
  const collect = opts.stdout === undefined && opts.stderr === undefined;
  try {
    await pump(stream as AsyncIterable<Buffer>, tty, (frame) => {
      if (collect) collected.push(frame.data);
      else if (frame.stream === 'stderr') { if (opts.stderr !== undefined) writeTo(opts.stderr, frame.data); }
      else if (opts.stdout !== undefined) writeTo(opts.stdout, frame.data);
    });
  } catch (err) {
    throw toEngineError(err, 'exec in container', ref);
  }
  const exitCode = await execExitCode(exec, ref);
  return collect ? { exitCode, output: Buffer.concat(collected).toString('utf8') } : { exitCode };
}

async function execExitCode(exec: Docker.Exec, ref: string): Promise<number> {
  // The output stream can close a moment before the daemon records the exit code.
  for (let attempt = 0; ; attempt++) {
    const info = await call('inspect exec in container', ref, () => exec.inspect());
    if (!info.Running && typeof info.ExitCode === 'number') return info.ExitCode;
    if (attempt >= 100) return typeof info.ExitCode === 'number' ? info.ExitCode : -1;
    await delay(20);
  }
}

/**
 * Resolves once the container has stopped after running (or ended otherwise), so an attach
 * that reached the daemon only after the container exited does not hang: the daemon never
 * closes such a stream. Polls only while the container is still `created`.
 */
async function stoppedAfterRun(docker: Docker, ref: string, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const info = await docker.getContainer(ref).inspect();
    const state = info.State.Status;
    if (state === 'exited' || state === 'dead' || state === 'removing') return;
    if (state === 'created') {
      await delay(100, undefined, { signal }).catch(() => undefined);
      continue;
    }
    await docker.getContainer(ref).wait({ condition: 'not-running', abortSignal: signal });
  }
}

const ATTACH_DRAIN_MS = 500;

/** How far back a start may lie and still count as "started by the caller after attaching". */
const RECENT_START_MS = 2_000;

/**
 * Streams the container's output (and optionally feeds stdin) until the container's streams
 * end. Callers attach before `start` without waiting for the attach to be established, so
 * a container that has not run yet, or started just now, replays its output from the
 * beginning: nothing is lost when the start wins the race.
 */
export async function attachContainer(docker: Docker, ref: string, opts: AttachOptions): Promise<void> {
  const calledAt = Date.now();
  const { state, startedAt } = await isTty(docker, ref);
  const replay = state === 'created' || startedAt >= calledAt - RECENT_START_MS;
  // A container stopped long ago has no streams to attach to (its output is in its logs).
  if ((state === 'exited' || state === 'dead') && !replay) return;
  const hijack = opts.stdin !== undefined;
  const stream = await call('attach to container', ref, () => docker.getContainer(ref).attach({
    stream: true, stdout: true, stderr: true, stdin: hijack, hijack, logs: replay,
  }) as Promise<Duplex>);
  if (opts.stdin !== undefined) {
    opts.stdin.on('end', () => stream.end());
    opts.stdin.pipe(stream, { end: false });
  }
  const watcher = new AbortController();
  let cutOff = false;
  const watch = stoppedAfterRun(docker, ref, watcher.signal)
    .then(() => delay(ATTACH_DRAIN_MS, undefined, { signal: watcher.signal }))
    .then(() => {
      cutOff = true;
      stream.destroy();
    }, () => undefined);
  try {
    await pump(stream as AsyncIterable<Buffer>, opts.tty, (frame) => writeTo(frame.stream === 'stderr' ? opts.stderr : opts.stdout, frame.data));
  } catch (err) {
    if (!cutOff) throw toEngineError(err, 'attach to container', ref);
  } finally {
    watcher.abort();
    await watch;
    stream.destroy();
  }
}

export async function copyToContainer(docker: Docker, ref: string, path: string, tar: Readable): Promise<void> {
  await call('copy into container', `${ref}:${path}`, () => docker.getContainer(ref).putArchive(tar, { path }));
}

export async function copyFromContainer(docker: Docker, ref: string, path: string): Promise<Readable> {
  return call('copy from container', `${ref}:${path}`, () => docker.getContainer(ref).getArchive({ path }) as Promise<Readable>);
}
