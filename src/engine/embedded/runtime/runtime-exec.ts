/** Builds the process.json for `runtime exec` from the container's own process (caps, rlimits, env). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../../engine-error.js';
import { capsFromMask } from './host-facts.js';
import { ALL_CAPABILITIES } from './oci-defaults.js';
import type { OciProcess, OciSpec } from './oci-spec.js';

export interface ExecOptions {
  args: string[];
  env?: string[];
  cwd?: string;
  user?: { uid: number; gid: number; additionalGids?: number[] };
  tty: boolean;
  detach: boolean;
  privileged?: boolean;
  /** With `tty`: the tty's size at start. */
  terminalSize?: { rows: number; cols: number };
}

/** Exec env is the container's env with the exec's entries replacing same-named ones. */
function mergeEnv(base: string[], extra: string[]): string[] {
  const key = (e: string): string => e.split('=', 1)[0] ?? e;
  const over = new Set(extra.map(key));
  return [...base.filter((e) => !over.has(key(e))), ...extra];
}

export function execProcessSpec(bundleDir: string, id: string, opts: ExecOptions): OciProcess {
  let spec: OciSpec;
  try {
    spec = JSON.parse(readFileSync(join(bundleDir, 'config.json'), 'utf8')) as OciSpec;
  } catch (err) {
    throw new EngineError('failed', 'exec', id, `cannot read the container's config.json in ${bundleDir}: ${(err as Error).message}`, { cause: err });
  }
  const base = spec.process;
  // A privileged exec gets every capability this host lets a process hold, not only the container's.
  const caps = opts.privileged === true ? hostBoundingCaps() : base.capabilities.bounding;
  const user = opts.user ?? base.user;
  const env = mergeEnv(base.env, opts.env ?? []);
  if (opts.tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
  return {
    terminal: opts.tty,
    user: { uid: user.uid, gid: user.gid, ...(user.additionalGids !== undefined && user.additionalGids.length > 0 ? { additionalGids: [...user.additionalGids] } : {}) },
    args: [...opts.args],
    env,
    cwd: opts.cwd !== undefined && opts.cwd !== '' ? opts.cwd : base.cwd,
    capabilities: { bounding: [...caps], effective: [...caps], permitted: [...caps], inheritable: [], ambient: [] },
    rlimits: base.rlimits,
    noNewPrivileges: base.noNewPrivileges,
  };
}

function hostBoundingCaps(): string[] {
  const status = readFileSync('/proc/self/status', 'utf8');
  const bnd = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  return bnd === undefined ? [...ALL_CAPABILITIES] : capsFromMask(bnd);
}

/**
 * Writes the exec process spec to a temp file under the runtime's workDir and returns its path.
 * Synchronous so exec() can hand back a ChildProcess at once; `state` takes a few milliseconds.
 */
export function writeExecSpec(rt: { info: { name: string; path: string }; runtimeRoot: string; workDir: string }, id: string, opts: ExecOptions): string {
  if (!existsSync(join(rt.runtimeRoot, id))) throw new EngineError('not-found', 'exec', id, `container ${id} does not exist in ${rt.info.name}`);
  const st = spawnSync(rt.info.path, ['--root', rt.runtimeRoot, 'state', id], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (st.status !== 0) throw new EngineError('not-found', 'exec', id, `${rt.info.name} state ${id} failed: ${st.stderr.trim()}`);
  const parsed = JSON.parse(st.stdout) as { status?: string; bundle?: string };
  if (parsed.status !== 'running') throw new EngineError('conflict', 'exec', id, `container ${id} is not running (state: ${String(parsed.status)})`);
  if (parsed.bundle === undefined) throw new EngineError('failed', 'exec', id, `${rt.info.name} state ${id} reported no bundle`);
  const spec = execProcessSpec(parsed.bundle, id, opts);
  const dir = join(rt.workDir, 'exec');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${id.slice(0, 12)}-${process.pid}-${Math.random().toString(16).slice(2, 10)}.json`);
  writeFileSync(file, JSON.stringify(spec), { mode: 0o600 });
  return file;
}

const SCRIPT_CANDIDATES = ['/usr/bin/script', '/bin/script'];

/**
 * Runs `runtime exec --tty` on a host pseudo-terminal made by util-linux `script`: both crun and
 * runc relay the container's pty only when their own stdin is a terminal, and Node cannot make
 * one. The runtime puts that terminal in raw mode, so the container's \r\n reach stdout as they
 * are (stderr is merged, as with any tty). The command string is constant; values travel in env.
 * Closing the returned stdin is not forwarded: on a terminal EOF is the ^D byte, and script
 * would inject a stray byte into the session. The runtime gives the container's tty the size
 * of its own terminal, so `size` is set on script's terminal first.
 */
export function spawnWithTerminal(runtime: string, args: string[], size?: { rows: number; cols: number }): ChildProcess {
  const script = SCRIPT_CANDIDATES.find((p) => existsSync(p));
  if (script === undefined) throw new EngineError('unavailable', 'exec', 'script', 'script not found (needed for exec with a tty): install the Debian package bsdutils');
  const env: Record<string, string> = { SHELL: '/bin/sh', PATH: '/usr/sbin:/usr/bin:/sbin:/bin', BERTH_RUNTIME: runtime };
  args.forEach((a, i) => { env[`BERTH_ARG${i}`] = a; });
  const sized = size !== undefined && Number.isFinite(size.rows) && Number.isFinite(size.cols);
  if (sized) {
    env.BERTH_ROWS = String(Math.max(0, Math.min(1000, Math.floor(size.rows))));
    env.BERTH_COLS = String(Math.max(0, Math.min(1000, Math.floor(size.cols))));
  }
  const stty = sized ? 'stty rows "$BERTH_ROWS" cols "$BERTH_COLS" 2>/dev/null; ' : '';
  const cmd = `${stty}exec "$BERTH_RUNTIME" ${args.map((_, i) => `"$BERTH_ARG${i}"`).join(' ')}`;
  const child = spawn(script, ['-q', '-e', '-E', 'never', '-c', cmd, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const real = child.stdin;
  if (real !== null) {
    const input = new PassThrough();
    input.on('data', (chunk: Buffer) => real.write(chunk));
    real.on('error', () => undefined);
    child.stdin = input;
  }
  return child;
}
