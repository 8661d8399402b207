/**
 * Starts conmon, the per-container supervisor that outlives berth: it runs `runtime create`,
 * reports the container pid on the sync pipe, writes the k8s-file log and, when the container
 * exits, the exit file (exitDir/<id>, persistDir/exit) and an `oom` marker in persistDir.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EngineError } from '../../engine-error.js';
import { findBinary } from './runtime-detect.js';
import { missingExecutable } from './executable-check.js';
import type { OciRuntime } from './runtime.js';
import { runtimeMessage } from './runtime-tool.js';

export interface ConmonLaunch {
  id: string; bundleDir: string; pidFile: string; conmonPidFile: string; logPath: string; exitDir: string; persistDir: string;
  socketDir: string; tty: boolean; stdinOpen: boolean; runtime: OciRuntime; logMaxSizeBytes?: number; exitCommand?: string[];
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

async function readSync(stream: NodeJS.ReadableStream, id: string): Promise<{ data: number; message?: string }> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => finish(new EngineError('failed', 'create', id, `conmon did not report the container pid within ${SYNC_TIMEOUT_MS / 1000} s`)), SYNC_TIMEOUT_MS);
    const finish = (result: Error | { data: number; message?: string }): void => {
      clearTimeout(timer);
      stream.removeAllListeners('data');
      stream.removeAllListeners('end');
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      const m = /\{[^{}]*\}/.exec(buf);
      if (m === null) return;
      try {
        finish(JSON.parse(m[0]) as { data: number; message?: string });
      } catch (err) {
        finish(new EngineError('failed', 'create', id, `conmon sent an unreadable sync message: ${m[0]}`, { cause: err }));
      }
    });
    stream.on('end', () => finish(new EngineError('failed', 'create', id, `conmon exited before reporting the container pid${buf === '' ? '' : `: ${buf}`}`)));
  });
}

export async function launchConmon(opts: ConmonLaunch): Promise<{ pid: number; conmonPid: number }> {
  const conmon = await findBinary('conmon');
  if (conmon === undefined) throw new EngineError('unavailable', 'create', opts.id, 'conmon not found: install the Debian package conmon (apt-get install conmon)');
  const missing = await missingExecutable(opts.bundleDir);
  if (missing !== undefined) throw new EngineError('failed', 'create', opts.id, `exec: "${missing}": executable file not found in $PATH`);
  for (const dir of [opts.exitDir, opts.persistDir, opts.socketDir, dirname(opts.logPath), dirname(opts.pidFile), dirname(opts.conmonPidFile)]) {
    await mkdir(dir, { recursive: true });
  }
  // A restarted container must not look exited (or OOM-killed) because of its previous run.
  for (const file of [join(opts.exitDir, opts.id), join(opts.persistDir, 'exit'), join(opts.persistDir, 'oom')]) await rm(file, { force: true });
  // Own session, no pipes but the sync pipe (pitfall 3/6): conmon and the container outlive berth.
  const child = spawn(conmon, conmonArgs(opts), {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    env: { _OCI_SYNCPIPE: '3', PATH: TOOL_PATH },
  });
  child.unref();
  const sync = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void; unref?: () => void };
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (err) => reject(new EngineError('failed', 'create', opts.id, `cannot start conmon: ${err.message}`, { cause: err })));
  });
  let msg: { data: number; message?: string };
  try {
    msg = await Promise.race([readSync(sync, opts.id), spawnError]);
  } finally {
    sync.destroy();
  }
  if (typeof msg.data !== 'number' || msg.data <= 0) {
    const text = createErrorMessage(runtimeMessage(msg.message ?? '') || (msg.message ?? 'unknown error'));
    throw new EngineError('failed', 'create', opts.id, text);
  }
  const conmonPid = Number((await readFile(opts.conmonPidFile, 'utf8').catch(() => '')).trim()) || (child.pid ?? 0);
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
