import { spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
}

/** A clean environment: PATH, HOME, NO_COLOR and the test's DOCKER_HOST, nothing else. */
function berthEnv(home: string): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, NO_COLOR: '1' };
  if (process.env.DOCKER_HOST !== undefined) env.DOCKER_HOST = process.env.DOCKER_HOST;
  return env;
}

/** A running `berth args…` whose output is collected as it comes. */
export interface BerthProcess {
  out: () => string;
  err: () => string;
  kill: (sig: NodeJS.Signals) => void;
  pid: number | undefined;
  /** The exit code, once it exited. */
  exit: Promise<number | null>;
  /** Everything, once it exited. */
  done: Promise<Run>;
}

export function berthProcess(args: string[], opts: BerthOptions = {}): BerthProcess {
  const input = opts.input ?? null;
  const child = spawn(process.execPath, [berthBin, ...args], { cwd: opts.cwd ?? repo, env: berthEnv(opts.home ?? repo), stdio: [input === null ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  if (input !== null) child.stdin?.end(input);
  const done = new Promise<Run>((resolveRun, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
  return { out: () => stdout, err: () => stderr, kill: (sig) => child.kill(sig), pid: child.pid, exit: done.then((r) => r.code), done };
}

/** Runs `berth args…` to completion (asynchronously, so the test can act meanwhile). */
export function berth(args: string[], opts: BerthOptions = {}): Promise<Run> {
  return berthProcess(args, { ...opts, input: opts.input ?? '' }).done;
}

export function berthSync(args: string[], opts: BerthOptions = {}): Run {
  const r = spawnSync(process.execPath, [berthBin, ...args], { cwd: opts.cwd ?? repo, env: berthEnv(opts.home ?? repo), encoding: 'utf8', input: opts.input ?? '' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
