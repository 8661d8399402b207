/**
 * attach: the container's output comes from the k8s-file log conmon writes; its input goes
 * through conmon's attach socket (runtime/attach-relay.ts) and its tty size through conmon's
 * control fifo.
 */
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { EngineError } from '../engine-error.js';
import type { AttachOptions, TerminalSize, TerminalSizeSource } from '../engine.js';
import type { Core } from './core.js';
import { stillIn } from './container-logs.js';
import { containerPaths } from './paths.js';
import { resizeThroughConmon, startAttachRelay } from './runtime/attach-relay.js';
import { followLogOutput, logFileSize } from './state/log-reader.js';

const OP = 'attach to container';
/** An attach made before start waits through `created`, like Docker's. */
const ATTACHABLE = new Set(['created', 'running', 'paused']);
/** How often a size waiting for the container's tty to exist is tried again. */
const RESIZE_RETRY_MS = 50;

interface InputForward {
  /** Stops forwarding; resolves with the relay's complaint when it failed on its own. */
  stop(): Promise<string | undefined>;
}

function forwardInput(name: string, bundleDir: string, stdin: Readable, size: TerminalSize | undefined): InputForward {
  const relay = startAttachRelay(bundleDir, size);
  if (relay === undefined) throw new EngineError('unavailable', OP, name, 'forwarding input to a container needs perl: install the Debian package perl-base');
  const complaint: Buffer[] = [];
  let stopping = false;
  relay.stdout.resume();
  relay.stderr.on('data', (d: Buffer) => complaint.push(d));
  // Writes after the relay left (the container stopped) are nobody's business.
  relay.stdin.on('error', () => undefined);
  const closed = new Promise<string | undefined>((resolve) => {
    relay.on('error', (err) => {
      stdin.unpipe(relay.stdin);
      resolve(err.message);
    });
    relay.on('close', (code) => {
      stdin.unpipe(relay.stdin);
      resolve(!stopping && code !== 0 ? Buffer.concat(complaint).toString('utf8').trim() || `relay exited with status ${String(code)}` : undefined);
    });
  });
  stdin.pipe(relay.stdin);
  return {
    stop: () => {
      stopping = true;
      stdin.unpipe(relay.stdin);
      if (relay.exitCode === null && relay.signalCode === null) relay.kill();
      return closed;
    },
  };
}

/**
 * Keeps the container's tty at the terminal's size. With `initial`, the current size is also
 * applied as soon as the container's conmon listens (the relay applies it otherwise, before
 * any input). Returns the function that stops following.
 */
function followTerminal(bundleDir: string, terminal: TerminalSizeSource, initial: boolean): () => void {
  const ac = new AbortController();
  const apply = async (): Promise<boolean> => {
    const size = terminal.current();
    return size === undefined ? true : resizeThroughConmon(bundleDir, size).catch(() => true);
  };
  const stopListening = terminal.onChange(() => void apply());
  if (initial) {
    void (async () => {
      while (!ac.signal.aborted && !(await apply())) await delay(RESIZE_RETRY_MS, undefined, { signal: ac.signal }).catch(() => undefined);
    })();
  }
  return () => {
    ac.abort();
    stopListening();
  };
}

export async function attachContainer(core: Core, ref: string, opts: AttachOptions): Promise<void> {
  const c = await core.containers.get(ref, OP);
  const files = containerPaths(core.paths, c.record.id);
  const offset = await logFileSize(files.log);
  const terminal = opts.tty && c.record.spec.tty ? opts.terminal : undefined;
  // A container created without an open stdin has none to write to: the input is ignored, as Docker does.
  const input = opts.stdin !== undefined && c.record.spec.stdinOpen
    ? forwardInput(c.record.name, files.bundle, opts.stdin, terminal?.current())
    : undefined;
  const stopFollowing = terminal !== undefined ? followTerminal(files.bundle, terminal, input === undefined) : undefined;
  let complaint: string | undefined;
  try {
    opts.onAttached?.();
    for await (const chunk of followLogOutput(files.log, { offset, isRunning: stillIn(core, c.record, ATTACHABLE) })) {
      (chunk.stream === 'stderr' && !opts.tty ? opts.stderr : opts.stdout).write(chunk.data);
    }
  } finally {
    stopFollowing?.();
    complaint = await input?.stop();
  }
  if (complaint !== undefined) throw new EngineError('failed', OP, c.record.name, `cannot forward input to ${c.record.name}: ${complaint}`);
}
