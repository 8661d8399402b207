import { spawn, spawnSync } from 'node:child_process';
import type { Writable } from 'node:stream';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_ROOT } from './embedded.js';
import type { EngineKind } from './engines.js';

// Compiled to dist/test/helpers/: the repository root is three levels up.
export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const berthBin = join(repo, 'bin', 'berth');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface BerthOptions {
  /** Working directory (default: the repository). */
  cwd?: string;
  /** HOME of the child (default: the repository). */
  home?: string;
  /** Written to stdin, which is then closed; `null` (berthProcess's default) leaves stdin unconnected. */
  input?: string | null;
  /** With `input`: leave stdin open after writing it (BerthProcess.stdin writes more). */
  keepInputOpen?: boolean;
  /**
   * The engine every run is pointed at with `--engine`: 'docker' (the test's DOCKER_HOST) or
   * 'embedded' (BERTH_ROOT=TEST_ROOT). Unset: no `--engine`, berth picks one as for a user.
   */
  engine?: EngineKind;
}

/**
 * A clean environment: PATH, HOME, NO_COLOR and the engine's settings (the test's DOCKER_HOST;
 * for the embedded engine BERTH_ROOT and BERTH_RUNTIME), nothing else.
 */
function berthEnv(home: string, engine: EngineKind | undefined): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, NO_COLOR: '1' };
  if (engine === 'embedded') {
    env.BERTH_ROOT = TEST_ROOT;
    if (process.env.BERTH_RUNTIME !== undefined) env.BERTH_RUNTIME = process.env.BERTH_RUNTIME;
  } else if (process.env.DOCKER_HOST !== undefined) {
    env.DOCKER_HOST = process.env.DOCKER_HOST;
  }
  return env;
}

/** The command line of the child: `bin/berth [--engine kind] args…`. */
function berthArgv(args: string[], engine: EngineKind | undefined): string[] {
  return [berthBin, ...(engine === undefined ? [] : ['--engine', engine]), ...args];
}

/** A running `berth args…` whose output is collected as it comes. */
export interface BerthProcess {
  out: () => string;
  err: () => string;
  kill: (sig: NodeJS.Signals) => void;
  pid: number | undefined;
  /** The child's stdin, when `input` connected one. */
  stdin: Writable | undefined;
  /** The exit code, once it exited. */
  exit: Promise<number | null>;
  /** Everything, once it exited. */
  done: Promise<Run>;
}

export function berthProcess(args: string[], opts: BerthOptions = {}): BerthProcess {
  const input = opts.input ?? null;
  const child = spawn(process.execPath, berthArgv(args, opts.engine), { cwd: opts.cwd ?? repo, env: berthEnv(opts.home ?? repo, opts.engine), stdio: [input === null ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (input !== null) {
    child.stdin?.on('error', () => undefined);
    if (opts.keepInputOpen === true) child.stdin?.write(input);
    else child.stdin?.end(input);
  }
  return collect(child);
}

function collect(child: ReturnType<typeof spawn>): BerthProcess {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolveRun, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
  return { out: () => stdout, err: () => stderr, kill: (sig) => child.kill(sig), pid: child.pid, stdin: child.stdin ?? undefined, exit: done.then((r) => r.code), done };
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * `berth args…` on a pseudo-terminal of `rows` × `cols` made by util-linux `script`, as a user
 * at a terminal runs it; the test types through `stdin` and reads the terminal's output. After
 * berth, the shell prints `berth-exit=<code>` and the terminal's `icanon` and `opost` settings (`-icanon`
 * while it is still raw). With `resize`, the terminal takes that size (and berth gets SIGWINCH)
 * once the file `resize.when` exists.
 */
export function berthInTerminal(args: string[], opts: BerthOptions & { rows: number; cols: number; resize?: { when: string; rows: number; cols: number } }): BerthProcess {
  const line = berthArgv(args, opts.engine).map(shellQuote).join(' ');
  const r = opts.resize;
  const resizer = r === undefined ? '' : `(while [ ! -e ${shellQuote(r.when)} ]; do sleep 0.1; done; stty rows ${r.rows} cols ${r.cols} </dev/tty) & `;
  const script = `stty rows ${opts.rows} cols ${opts.cols}; ${resizer}${shellQuote(process.execPath)} ${line}; echo "berth-exit=$?"; stty -a | grep -ow -- '-\\?icanon\\|-\\?opost'`;
  const child = spawn('script', ['-qec', script, '/dev/null'], { cwd: opts.cwd ?? repo, env: { ...berthEnv(opts.home ?? repo, opts.engine), TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => undefined);
  return collect(child);
}

/** Runs `berth args…` to completion (asynchronously, so the test can act meanwhile). */
export function berth(args: string[], opts: BerthOptions = {}): Promise<Run> {
  return berthProcess(args, { ...opts, input: opts.input ?? '' }).done;
}

export function berthSync(args: string[], opts: BerthOptions = {}): Run {
  const r = spawnSync(process.execPath, berthArgv(args, opts.engine), { cwd: opts.cwd ?? repo, env: berthEnv(opts.home ?? repo, opts.engine), encoding: 'utf8', input: opts.input ?? '' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
