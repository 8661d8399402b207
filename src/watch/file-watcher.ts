import { watch as chokidarWatch } from 'chokidar';
import { resolve } from 'node:path';
import { createDebouncer, type Timers } from './debouncer.js';
import type { FileChangeBatch } from './file-change-batch.js';
import type { PathFilter } from './path-filter.js';

/**
 * Default quiet period. docker compose waits 500 ms; a save is one or a few events within a
 * few milliseconds, so 60 ms keeps write→sync latency low while still merging an editor's
 * write-rename-chmod sequence or a `git checkout` into one batch.
 */
export const DEFAULT_QUIET_MS = 60;
/** A continuous stream of changes still flushes at least this often. */
export const DEFAULT_MAX_WAIT_MS = 1000;

export interface FileWatcherOptions {
  /** One filter per watch rule; a path no filter wants is not even watched. */
  filters: readonly PathFilter[];
  /** Files watched whatever the filters say (compose files, `.env`). */
  extraFiles: readonly string[];
  onBatch: (batch: FileChangeBatch) => void;
  onError: (err: Error) => void;
  quietMs?: number;
  maxWaitMs?: number;
  timers?: Timers;
}

export interface FileWatcher {
  /** Resolves once the initial scan is done (events before that are not reported). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * One chokidar watcher for the whole project over the union of the rule paths. Write
 * completion is not awaited (latency); the sync re-reads files when it copies them.
 */
export function watchFiles(opts: FileWatcherOptions): FileWatcher {
  const extra = new Set(opts.extraFiles.map((f) => resolve(f)));
  const roots = [...new Set([...opts.filters.map((f) => f.root), ...extra])].sort();
  const debouncer = createDebouncer({
    quietMs: opts.quietMs ?? DEFAULT_QUIET_MS,
    maxWaitMs: opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
    onFlush: opts.onBatch,
    ...(opts.timers !== undefined ? { timers: opts.timers } : {}),
  });
  const ignored = (path: string): boolean => {
    const abs = resolve(path);
    if (extra.has(abs)) return false;
    // Ancestors of an extra file (the project directory) must be walked to reach it only when a rule watches them.
    if (opts.filters.length === 0) return false;
    return opts.filters.every((f) => f.prunes(abs));
  };
  const watcher = chokidarWatch(roots, {
    ignoreInitial: true,
    persistent: true,
    awaitWriteFinish: false,
    atomic: false,
    followSymlinks: false,
    ignored: (path) => ignored(path),
  });
  watcher.on('all', (event, path) => {
    switch (event) {
      case 'add':
      case 'addDir':
      case 'change':
        debouncer.add(resolve(path), 'write');
        return;
      case 'unlink':
      case 'unlinkDir':
        debouncer.add(resolve(path), 'delete');
        return;
      case 'all':
      case 'ready':
      case 'raw':
      case 'error':
        return;
    }
  });
  watcher.on('error', (err) => opts.onError(err instanceof Error ? err : new Error(String(err))));
  const ready = new Promise<void>((r) => watcher.once('ready', () => r()));
  return {
    ready,
    async close() {
      debouncer.dispose();
      await watcher.close();
    },
  };
}
