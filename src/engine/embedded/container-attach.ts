/**
 * attach: the container's output comes from the k8s-file log conmon writes; its input goes
 * through conmon's attach socket (runtime/attach-relay.ts) and its tty size through conmon's
 * control fifo.
 */
import type { Readable } from 'node:stream';
import { EngineError } from '../engine-error.js';
import type { AttachOptions, TerminalSize } from '../engine.js';
import { followTerminal } from '../terminal-follow.js';
import type { Core } from './core.js';
import { stillIn } from './container-logs.js';
import { containerPaths } from './paths.js';
import { resizeThroughConmon, startAttachRelay } from './runtime/attach-relay.js';
import { followLogOutput, logFileSize } from './state/log-reader.js';

const OP = 'attach to container';
/** An attach made before start waits through `created`, like Docker's. */
const ATTACHABLE = new Set(['created', 'running', 'paused']);

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

export async function attachContainer(core: Core, ref: string, opts: AttachOptions): Promise<void> {
  const c = await core.containers.get(ref, OP);
  const files = containerPaths(core.paths, c.record.id);
  const offset = await logFileSize(files.log);
  const terminal = opts.tty && c.record.spec.tty ? opts.terminal : undefined;
  // A container created without an open stdin has none to write to: the input is ignored, as Docker does.
  const input = opts.stdin !== undefined && c.record.spec.stdinOpen
    ? forwardInput(c.record.name, files.bundle, opts.stdin, terminal?.current())
    : undefined;
  // With an input relay, the relay applies the starting size before any input; otherwise it is
  // applied as soon as the container's conmon listens. A fifo that fails otherwise is given up.
  const stopFollowing = terminal !== undefined
    ? followTerminal(terminal, (size) => resizeThroughConmon(files.bundle, size).catch(() => true), { initial: input === undefined })
    : undefined;
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
