/**
 * Starts conmon, the per-container supervisor that outlives berth: it runs `runtime create`,
 * reports the container pid on the sync pipe, writes the k8s-file log and, when the container
 * exits, the exit file (exitDir/<id>, persistDir/exit) and an `oom` marker in persistDir.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EngineError } from '../../engine-error.js';
import { findBinary } from './runtime-detect.js';
import { missingExecutable } from './executable-check.js';
import { ProcessStartError, startDaemon } from './process-runner.js';
import type { OciRuntime } from './runtime.js';
import { runtimeMessage } from './runtime-tool.js';

export interface ConmonLaunch {
  id: string; bundleDir: string; pidFile: string; conmonPidFile: string; logPath: string; exitDir: string; persistDir: string;
  socketDir: string; tty: boolean; stdinOpen: boolean;
  /** Close the container's stdin when the attached client ends its input (conmon's default). */
  stdinOnce: boolean; runtime: OciRuntime; logMaxSizeBytes?: number; exitCommand?: string[];
}

export interface ContainerExit { exitCode: number; finishedAt: string; oomKilled: boolean }

const TOOL_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const SYNC_TIMEOUT_MS = 30_000;

export function conmonArgs(opts: ConmonLaunch): string[] {
  const args = [
    '--api-version', '1', '-c', opts.id, '-u', opts.id, '-n', opts.id, '-r', opts.runtime.conmonRuntimePath,
    '-b', opts.bundleDir, '-p', opts.pidFile, '-P', opts.conmonPidFile, '-l', `k8s-file:${opts.logPath}`,
    '--exit-dir', opts.exitDir, '-0', opts.persistDir, '--full-attach', '--socket-dir-path', opts.socketDir, '--syslog=false',
  ];
  if (opts.tty) args.push('-t');
  if (opts.stdinOpen) args.push('-i');
  if (opts.stdinOpen && !opts.stdinOnce) args.push('--leave-stdin-open');
  if (opts.logMaxSizeBytes !== undefined && opts.logMaxSizeBytes > 0) args.push('--log-size-max', String(opts.logMaxSizeBytes));
  const [cmd, ...cmdArgs] = opts.exitCommand ?? [];
  if (cmd !== undefined) {
    args.push('--exit-command', cmd);
    for (const a of cmdArgs) args.push('--exit-command-arg', a);
  }
  return args;
}

/** Docker's wording for a missing command, whichever runtime reported it. */
export function createErrorMessage(runtimeText: string): string {
  const crun = /executable file `([^`]*)` not found in \$PATH/.exec(runtimeText);
  if (crun !== null) return `exec: "${crun[1] ?? ''}": executable file not found in $PATH`;
  const runc = /exec: "([^"]*)": executable file not found in \$PATH/.exec(runtimeText);
  if (runc !== null) return `exec: "${runc[1] ?? ''}": executable file not found in $PATH`;
  return runtimeText;
}

/** conmon's sync message: the container pid as `data` (or a negative value and a message). */
function syncMessage(text: string, id: string): { data: number; message?: string } {
  const m = /\{[^{}]*\}/.exec(text);
  if (m === null) throw new EngineError('failed', 'create', id, `conmon exited before reporting the container pid${text === '' ? '' : `: ${text}`}`);
  try {
    return JSON.parse(m[0]) as { data: number; message?: string };
  } catch (err) {
    throw new EngineError('failed', 'create', id, `conmon sent an unreadable sync message: ${m[0]}`, { cause: err });
  }
}

export async function launchConmon(opts: ConmonLaunch): Promise<{ pid: number; conmonPid: number }> {
  const conmon = await findBinary('conmon');
  if (conmon === undefined) throw new EngineError('unavailable', 'create', opts.id, 'conmon not found: install the Debian package conmon (apt-get install conmon)');
  const missing = await missingExecutable(opts.bundleDir);
  if (missing !== undefined) throw new EngineError('failed', 'create', opts.id, `exec: "${missing}": executable file not found in $PATH`);
  // Synchronous: local directories and files, cheaper than async round trips.
  for (const dir of [opts.exitDir, opts.persistDir, opts.socketDir, dirname(opts.logPath), dirname(opts.pidFile), dirname(opts.conmonPidFile)]) {
    mkdirSync(dir, { recursive: true });
  }
  // A restarted container must not look exited (or OOM-killed) because of its previous run.
  for (const file of [join(opts.exitDir, opts.id), join(opts.persistDir, 'exit'), join(opts.persistDir, 'oom')]) rmSync(file, { force: true });
  // Own session, no pipes but the sync pipe (pitfall 3/6): conmon and the container outlive berth.
  let started;
  try {
    started = await startDaemon(conmon, conmonArgs(opts), { env: { _OCI_SYNCPIPE: '3', PATH: TOOL_PATH }, timeoutMs: SYNC_TIMEOUT_MS });
  } catch (err) {
    if (err instanceof ProcessStartError && err.code === 'ETIMEDOUT') {
      throw new EngineError('failed', 'create', opts.id, `conmon did not report the container pid within ${SYNC_TIMEOUT_MS / 1000} s`, { cause: err });
    }
    throw new EngineError('failed', 'create', opts.id, `cannot start conmon: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const msg = syncMessage(started.sync, opts.id);
  if (typeof msg.data !== 'number' || msg.data <= 0) {
    const text = createErrorMessage(runtimeMessage(msg.message ?? '') || (msg.message ?? 'unknown error'));
    throw new EngineError('failed', 'create', opts.id, text);
  }
  const conmonPid = Number((await readFile(opts.conmonPidFile, 'utf8').catch(() => '')).trim()) || started.pid;
  return { pid: msg.data, conmonPid };
}

/**
 * The container's exit as conmon recorded it; undefined while it runs (or if conmon died first).
 * conmon writes 128+N when the process died of signal N, and an `oom` file in the persist dir
 * when the kernel's OOM killer hit the container's cgroup.
 */
export async function readExit(opts: { id: string; exitDir: string; persistDir: string }): Promise<ContainerExit | undefined> {
  const candidates = [join(opts.exitDir, opts.id), join(opts.persistDir, 'exit')];
  for (const file of candidates) {
    let text: string;
    let mtime: Date;
    try {
      text = await readFile(file, 'utf8');
      mtime = (await stat(file)).mtime;
    } catch {
      continue;
    }
    const code = Number.parseInt(text.trim(), 10);
    if (Number.isNaN(code)) continue;
    const oomKilled = await stat(join(opts.persistDir, 'oom')).then(() => true, () => false);
    return { exitCode: code, finishedAt: mtime.toISOString(), oomKilled };
  }
  return undefined;
}
