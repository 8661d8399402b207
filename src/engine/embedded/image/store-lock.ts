/**
 * An inter-process lock: a file created with O_EXCL holding the owner's PID. A lock whose
 * owner is gone (crash, kill -9) is taken over. Waiters poll; the critical sections are short
 * (index updates), never downloads or extraction.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A dead process its parent has not reaped yet (a daemonized supervisor waits for init to
  // reap it, which can take a while) still answers signal 0: it is a zombie, not alive.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

/**
 * Synchronous, and not synced to disk: a lock lives in the page cache for other processes to
 * see, and after a crash or reboot its PID is stale either way. (Async calls here cost more than
 * the system calls themselves; `up` takes hundreds of locks.)
 */
function tryCreate(lockPath: string): Promise<boolean> {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return Promise.resolve(false);
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  } finally {
    closeSync(fd);
  }
  return Promise.resolve(true);
}

/** A lock file that stays empty this long was left by a writer killed between create and write. */
const EMPTY_STALE_MS = 10_000;

/** A takeover guard is held for a few system calls: one this old was left by a killed taker. */
const GUARD_STALE_MS = 5_000;

/** Whether the lock file's content says its owner is gone. */
async function isStale(lockPath: string, text: string): Promise<boolean> {
  if (text.trim() === '') {
    // Being written right now, unless it has stayed empty for a long time.
    const age = await stat(lockPath).then((st) => Date.now() - st.mtimeMs, () => 0);
    return age >= EMPTY_STALE_MS;
  }
  return !processAlive(parseInt(text.trim(), 10));
}

/**
 * Removes the lock when its owner is dead. Takers serialise on a guard file, and the one
 * holding it looks again before removing: a lock file can then only be removed while it is
 * still the stale one (removing it by rename or by name alone could remove a lock that a
 * live owner created in between, and leave two owners).
 */
async function takeOverIfStale(lockPath: string): Promise<void> {
  const text = await readFile(lockPath, 'utf8').catch(() => undefined);
  if (text === undefined || !(await isStale(lockPath, text))) return;
  const guard = `${lockPath}.takeover`;
  if (!(await tryCreate(guard))) {
    const age = await stat(guard).then((st) => Date.now() - st.mtimeMs, () => 0);
    if (age >= GUARD_STALE_MS) await rm(guard, { force: true });
    return;
  }
  try {
    const again = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (again !== undefined && (await isStale(lockPath, again))) await rm(lockPath, { force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

/**
 * Makes `pidFile` name this process, unless a live process holds it: for singletons (one
 * monitor per engine root). Race-free between any number of claimants, dead owners included.
 */
export async function claimPidFile(pidFile: string): Promise<boolean> {
  for (let attempt = 0; attempt < 40; attempt++) {
    if (await tryCreate(pidFile)) return true;
    const text = await readFile(pidFile, 'utf8').catch(() => undefined);
    if (text !== undefined && text.trim() !== '' && processAlive(parseInt(text.trim(), 10))) return false;
    await takeOverIfStale(pidFile);
    await delay(5 + Math.floor(Math.random() * 10));
  }
  return false;
}

export interface LockOptions {
  timeoutMs?: number;
}

/** Waiters in this process queue here, in order, instead of polling the lock file. */
const queues = new Map<string, Promise<void>>();

export async function withLock<T>(lockPath: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const previous = queues.get(lockPath) ?? Promise.resolve();
  let release!: () => void;
  const turn = previous.then(() => new Promise<void>((resolve) => (release = resolve)));
  queues.set(lockPath, turn);
  await previous;
  try {
    return await withFileLock(lockPath, fn, opts);
  } finally {
    release();
    if (queues.get(lockPath) === turn) queues.delete(lockPath);
  }
}

async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, opts: LockOptions): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let wait = 5;
  while (!(await tryCreate(lockPath))) {
    await takeOverIfStale(lockPath);
    if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${lockPath}`);
    await delay(wait);
    wait = Math.min(wait * 2, 100);
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}
