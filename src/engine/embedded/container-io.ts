/** exec, copy in/out and top for embedded containers. */
import { execFile, spawn } from 'node:child_process';
import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { EngineError } from '../engine-error.js';
import type { ExecOptions, ExecResult, TopResult } from '../engine.js';
import { extractTar } from '../../model/extract-tar.js';
import type { Core } from './core.js';
import { getFresh } from './container-exit.js';
import { containerPaths } from './paths.js';
import type { StoredContainer } from './state/container-record.js';
import { TtyOutputFilter } from './runtime/tty-output.js';
import { isMounted, mountOverlay, unmountOverlay } from './state/overlay.js';

const run = promisify(execFile);

function mustRun(c: StoredContainer, operation: string): number {
  if (c.state.status !== 'running' || c.state.pid === undefined) {
    throw new EngineError('conflict', operation, c.record.name, `container ${c.record.id} is not running`);
  }
  return c.state.pid;
}

export async function execInContainer(core: Core, ref: string, opts: ExecOptions): Promise<ExecResult> {
  const op = 'exec in container';
  const c = await getFresh(core, ref, op);
  mustRun(c, op);
  let user;
  try {
    const u = opts.user ?? c.record.process.user;
    user = await core.images.resolveUser(c.record.imageId, u === '' ? undefined : u);
  } catch (err) {
    throw new EngineError('failed', op, c.record.name, `exec in ${c.record.name}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const runtime = await core.runtime();
  // Changes later in the session do not reach the exec's tty: only its starting size does.
  const terminalSize = opts.tty === true ? opts.terminal?.current() : undefined;
  const child = runtime.exec(c.record.id, {
    args: opts.command,
    // The runtime adds these to the container's own environment.
    ...(opts.env !== undefined ? { env: opts.env } : {}),
    cwd: opts.workingDir ?? c.record.process.cwd,
    user,
    tty: opts.tty ?? false,
    detach: opts.detach ?? false,
    ...(opts.privileged !== undefined ? { privileged: opts.privileged } : {}),
    ...(terminalSize !== undefined ? { terminalSize } : {}),
  });
  const collect = opts.stdout === undefined && opts.stderr === undefined;
  const collected: Buffer[] = [];
  const stderrText: Buffer[] = [];
  const toStdout = (d: Buffer): void => {
    if (collect) collected.push(d);
    else opts.stdout?.write(d);
  };
  const ttyFilter = opts.tty === true ? new TtyOutputFilter(toStdout) : undefined;
  child.stdout?.on('data', (d: Buffer) => (ttyFilter !== undefined ? ttyFilter.write(d) : toStdout(d)));
  child.stdout?.on('end', () => ttyFilter?.end());
  child.stderr?.on('data', (d: Buffer) => {
    stderrText.push(d);
    if (collect) collected.push(d);
    else opts.stderr?.write(d);
  });
  if (child.stdin !== null) {
    if (opts.stdin !== undefined) opts.stdin.pipe(child.stdin);
    else child.stdin.end();
  }
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', (err) => reject(new EngineError('failed', op, c.record.name, `exec in ${c.record.name}: ${err.message}`, { cause: err })));
    child.on('close', (status, signal) => resolve(status ?? (signal !== null ? 128 + 9 : 1)));
  });
  if (opts.detach === true) {
    if (code !== 0) throw new EngineError('failed', op, c.record.name, `exec in ${c.record.name}: ${Buffer.concat(stderrText).toString('utf8').trim()}`);
    return { exitCode: 0 };
  }
  return collect ? { exitCode: code, output: Buffer.concat(collected).toString('utf8') } : { exitCode: code };
}

/**
 * Resolves `path` inside a container root the way the container sees it: symlinks are followed
 * relative to the root, never out of it. The last component is followed only with `followLast`.
 */
export async function resolveInRoot(root: string, path: string, followLast: boolean): Promise<string> {
  const parts = posix.normalize(`/${path}`).split('/').filter((p) => p !== '');
  const done: string[] = [];
  let hops = 0;
  while (parts.length > 0) {
    const part = parts.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = `${root}/${[...done, part].join('/')}`;
    const st = await lstat(candidate).catch(() => undefined);
    if (st?.isSymbolicLink() === true && (parts.length > 0 || followLast)) {
      if (++hops > 40) throw new Error(`too many levels of symbolic links: ${path}`);
      const target = await readlink(candidate);
      if (target.startsWith('/')) done.length = 0;
      parts.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
      continue;
    }
    done.push(part);
  }
  return `${root}/${done.join('/')}`;
}

/** A root directory showing the container's files, and a release function. */
async function containerRoot(core: Core, c: StoredContainer): Promise<{ root: string; release: () => Promise<void> }> {
  if (c.state.status === 'running' || c.state.status === 'paused') {
    return { root: `/proc/${c.state.pid ?? 0}/root`, release: () => Promise.resolve() };
  }
  const files = containerPaths(core.paths, c.record.id);
  if (await isMounted(files.rootfs)) return { root: files.rootfs, release: () => Promise.resolve() };
  await mountOverlay({ lowerDirs: await core.images.lowerDirs(c.record.imageId), upperDir: files.upper, workDir: files.work, target: files.rootfs });
  return { root: files.rootfs, release: () => unmountOverlay(files.rootfs) };
}

export async function copyToContainer(core: Core, ref: string, path: string, tar: Readable): Promise<void> {
  const op = 'copy to container';
  const c = await getFresh(core, ref, op);
  const { root, release } = await containerRoot(core, c);
  try {
    const dest = await resolveInRoot(root, path, true);
    const st = await lstat(dest).catch(() => undefined);
    if (st === undefined) throw new EngineError('not-found', op, c.record.name, `Could not find the file ${path} in container ${c.record.name}`);
    if (!st.isDirectory()) throw new EngineError('failed', op, c.record.name, `extraction point is not a directory: ${path}`);
    await extractTar(tar, { dest, keepOwner: true });
  } finally {
    await release();
  }
}

export async function copyFromContainer(core: Core, ref: string, path: string): Promise<Readable> {
  const op = 'copy from container';
  const c = await getFresh(core, ref, op);
  const { root, release } = await containerRoot(core, c);
  let handedOver = false;
  try {
    const source = await resolveInRoot(root, path, path.endsWith('/') || path.endsWith('/.'));
    if ((await lstat(source).catch(() => undefined)) === undefined) {
      throw new EngineError('not-found', op, c.record.name, `Could not find the file ${path} in container ${c.record.name}`);
    }
    const child = spawn('tar', ['-c', '-C', posix.dirname(source), '--', posix.basename(source)], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The archive goes through a stream of our own: once tar exits, Node drains a child's stdout
    // that nobody reads yet, and a caller that starts reading a moment later would get nothing.
    const out = new PassThrough();
    child.stdout.pipe(out, { end: false });
    const stderr: Buffer[] = [];
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    child.on('error', (err) => out.destroy(new EngineError('failed', op, c.record.name, `copy ${path} from ${c.record.name}: ${err.message}`, { cause: err })));
    child.on('close', (code, signal) => {
      void release();
      // GNU tar exits 1 when a file changed while it was read: the archive is still whole.
      if (code === 0 || code === 1) out.end();
      else {
        const why = Buffer.concat(stderr).toString('utf8').trim() || `tar ${signal !== null ? `killed by ${signal}` : `exited with status ${String(code)}`}`;
        out.destroy(new EngineError('failed', op, c.record.name, `copy ${path} from ${c.record.name}: ${why}`));
      }
    });
    out.on('close', () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    });
    handedOver = true;
    return out;
  } finally {
    if (!handedOver) await release();
  }
}

export async function topContainer(core: Core, ref: string): Promise<TopResult> {
  const op = 'top container';
  const c = await getFresh(core, ref, op);
  mustRun(c, op);
  const pids = await (await core.runtime()).ps(c.record.id);
  if (pids.length === 0) return { titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'], processes: [] };
  const { stdout } = await run('ps', ['-o', 'uid,pid,ppid,c,stime,tty,time,args', '-p', pids.join(',')]);
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const titles = ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'];
  const processes = lines.slice(1).map((l) => {
    const cols = l.trim().split(/\s+/);
    return [...cols.slice(0, 7), cols.slice(7).join(' ')];
  });
  return { titles, processes };
}
