import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CommandError } from '../errors/diagnostic.js';
import type { EventSink } from '../events/events.js';

export interface LockOptions {
  /** Directory holding lock files (`$XDG_RUNTIME_DIR/berth` or `/tmp/berth-locks`). */
  dir: string;
  /** Identifies the engine (e.g. its socket) so projects of different engines do not share a lock. */
  engineId: string;
  projectName: string;
  /** Give up after this long. */
  timeoutMs: number;
  events: EventSink;
  signal?: AbortSignal;
  /** Poll interval while waiting (default 200 ms). */
  pollMs?: number;
}

export interface ProjectLock {
  release(): void;
}

export function lockDirectory(env: Readonly<Record<string, string | undefined>>): string {
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime !== undefined && runtime !== '' ? join(runtime, 'berth') : '/tmp/berth-locks';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the per-project lock: a file created with O_EXCL holding our PID. A lock whose PID is
 * dead is taken over; a live one is waited for (with one info event) up to `timeoutMs`.
 */
export async function acquireProjectLock(opts: LockOptions): Promise<ProjectLock> {
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const key = createHash('sha256').update(`${opts.engineId}\0${opts.projectName}`).digest('hex').slice(0, 16);
  const path = join(opts.dir, `${opts.projectName}-${key}.lock`);
  const deadline = Date.now() + opts.timeoutMs;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          if (holder(path) === process.pid) unlinkSync(path);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = holder(path);
    if (pid === undefined || !alive(pid)) {
      // Stale (holder died, or the file is being written): remove only if still the same holder.
      if (pid === undefined) await delay(20);
      if (holder(path) === pid) {
        try {
          unlinkSync(path);
        } catch {
          // Someone else took it over first.
        }
      }
      continue;
    }
    if (!announced) {
      opts.events({ type: 'info', message: `waiting for another berth command on project ${opts.projectName} (pid ${pid})` });
      announced = true;
    }
    if (Date.now() >= deadline) throw new CommandError(`project ${opts.projectName} is locked by another berth command (pid ${pid}); gave up after ${Math.round(opts.timeoutMs / 1000)}s`);
    if (opts.signal?.aborted === true) throw new CommandError('canceled while waiting for the project lock', 130);
    await delay(opts.pollMs ?? 200);
  }
}
