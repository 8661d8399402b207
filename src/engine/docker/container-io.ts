import type { Duplex, Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { AttachOptions, ExecOptions, ExecResult, LogLine, LogOptions } from '../engine.js';
import { followTerminal } from '../terminal-follow.js';
import { call, isAborted, toEngineError } from './errors.js';
import { demuxFrames, framesToLines } from './log-stream.js';
import type { Frame } from './log-stream.js';

async function isTty(docker: Docker, ref: string): Promise<{ tty: boolean }> {
  const info = await call('inspect container', ref, () => docker.getContainer(ref).inspect());
  return { tty: info.Config.Tty };
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
  const input = forwardInput(opts.stdin, stream);
  // The exec's tty exists once it started, which is now.
  const stopFollowing = tty && opts.terminal !== undefined ? followTerminal(opts.terminal, (size) => exec.resize({ h: size.rows, w: size.cols }).then(() => true)) : undefined;
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
  } finally {
    stopFollowing?.();
    input();
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
 * Streams the container's output (and optionally feeds stdin) until the container's streams
 * end, i.e. until it stops. `onAttached` fires once the hijacked stream is established: a
 * caller that starts the container only then (as `docker run` does) loses no output.
 */
export async function attachContainer(docker: Docker, ref: string, opts: AttachOptions): Promise<void> {
  const hijack = opts.stdin !== undefined;
  const stream = await call('attach to container', ref, () => docker.getContainer(ref).attach({
    stream: true, stdout: true, stderr: true, stdin: hijack, hijack, logs: false,
  }) as Promise<Duplex>);
  const input = forwardInput(opts.stdin, stream);
  // The container's tty exists once it runs: the caller starts it after onAttached.
  const stopFollowing = opts.tty && opts.terminal !== undefined
    ? followTerminal(opts.terminal, (size) => docker.getContainer(ref).resize({ h: size.rows, w: size.cols }).then(() => true))
    : undefined;
  opts.onAttached?.();
  try {
    await pump(stream as AsyncIterable<Buffer>, opts.tty, (frame) => writeTo(frame.stream === 'stderr' ? opts.stderr : opts.stdout, frame.data));
  } catch (err) {
    throw toEngineError(err, 'attach to container', ref);
  } finally {
    stopFollowing?.();
    input();
    stream.destroy();
  }
}

/**
 * Copies `stdin` into the hijacked stream; its end closes our write side, which tells the
 * daemon the input is done while the output keeps flowing. Returns the function that stops.
 */
function forwardInput(stdin: Readable | undefined, stream: Duplex): () => void {
  if (stdin === undefined) return () => undefined;
  const onEnd = (): void => void stream.end();
  stdin.on('end', onEnd);
  stdin.pipe(stream, { end: false });
  return () => {
    stdin.off('end', onEnd);
    stdin.unpipe(stream);
  };
}

export async function copyToContainer(docker: Docker, ref: string, path: string, tar: Readable): Promise<void> {
  await call('copy into container', `${ref}:${path}`, () => docker.getContainer(ref).putArchive(tar, { path }));
}

export async function copyFromContainer(docker: Docker, ref: string, path: string): Promise<Readable> {
  return call('copy from container', `${ref}:${path}`, () => docker.getContainer(ref).getArchive({ path }) as Promise<Readable>);
}
