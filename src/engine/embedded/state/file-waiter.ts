/**
 * Waits for a file to change: an fs.watch on its directory wakes the waiter early, a short poll
 * covers what inotify misses (another mount namespace, a directory created later, lost events).
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export class FileWaiter {
  private watcher: FSWatcher | undefined;
  private wake: (() => void) | undefined;
  private changed = false;

  constructor(private readonly path: string, private readonly pollMs = 100) {
    this.tryWatch();
  }

  private tryWatch(): void {
    if (this.watcher !== undefined) return;
    const name = basename(this.path);
    try {
      this.watcher = watch(dirname(this.path), { persistent: false }, (_event, file) => {
        if (file !== null && file !== name && !String(file).startsWith(`${name}.`)) return;
        this.changed = true;
        this.wake?.();
      });
      this.watcher.on('error', () => this.closeWatcher());
    } catch {
      this.watcher = undefined;
    }
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** Resolves after a change, `pollMs` (or `maxMs` when smaller), or an abort, whichever is first. */
  wait(signal?: AbortSignal, maxMs?: number): Promise<void> {
    this.tryWatch();
    if (this.changed || signal?.aborted === true) {
      this.changed = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wake = undefined;
        this.changed = false;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.min(this.pollMs, maxMs ?? this.pollMs)));
      signal?.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  close(): void {
    this.closeWatcher();
    this.wake?.();
  }
}

/** A function, so TypeScript does not narrow `signal.aborted` across awaits and yields. */
export function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
