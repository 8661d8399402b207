import type { FileChange, FileChangeBatch, FileChangeKind } from './file-change-batch.js';

/** Timer functions, injectable so tests drive time by hand. */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface DebounceOptions {
  /** Flush once no event arrived for this long. */
  quietMs: number;
  /** Flush at the latest this long after the first event, so a continuous stream still flushes. */
  maxWaitMs: number;
  onFlush: (batch: FileChangeBatch) => void;
  timers?: Timers;
}

export interface Debouncer {
  add(path: string, kind: FileChangeKind): void;
  /** Flushes what is pending now (nothing when empty). */
  flush(): void;
  /** Drops pending changes and timers. */
  dispose(): void;
  readonly pending: number;
}

/**
 * Collects file events into batches: every event restarts the quiet period (docker compose uses
 * 500 ms; berth uses a much shorter one, see bench/README.md) and the max wait caps how long a
 * steady trickle of events can hold a batch back.
 */
export function createDebouncer(opts: DebounceOptions): Debouncer {
  const timers = opts.timers ?? realTimers;
  let changes = new Map<string, FileChangeKind>();
  let firstAt = 0;
  let quiet: unknown;
  let cap: unknown;
  const clear = (): void => {
    if (quiet !== undefined) timers.clearTimeout(quiet);
    if (cap !== undefined) timers.clearTimeout(cap);
    quiet = undefined;
    cap = undefined;
  };
  const flush = (): void => {
    clear();
    if (changes.size === 0) return;
    const list: FileChange[] = [...changes].map(([path, kind]) => ({ path, kind }));
    list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const batch: FileChangeBatch = { changes: list, firstEventAt: firstAt, flushedAt: timers.now() };
    changes = new Map();
    opts.onFlush(batch);
  };
  return {
    add(path, kind) {
      if (changes.size === 0) {
        firstAt = timers.now();
        cap = timers.setTimeout(flush, opts.maxWaitMs);
      }
      // Re-inserting moves the path to the end: the last event for a path decides its kind.
      changes.delete(path);
      changes.set(path, kind);
      if (quiet !== undefined) timers.clearTimeout(quiet);
      quiet = timers.setTimeout(flush, opts.quietMs);
    },
    flush,
    dispose() {
      clear();
      changes = new Map();
    },
    get pending() {
      return changes.size;
    },
  };
}
