export type WalkDirection = 'up' | 'down';

export interface WalkOptions {
  /** Most visits in flight at once; `<= 0` or `Infinity` means no limit. */
  concurrency: number;
  /** Aborting stops new visits; the walk rejects with `signal.reason` once in-flight visits settle. */
  signal?: AbortSignal;
}

/** Inserts into an array kept sorted by name. */
export function insertSorted(list: string[], name: string): void {
  let i = 0;
  while (i < list.length && list[i]! < name) i++;
  list.splice(i, 0, name);
}

/**
 * Visits each of `nodes` once, as soon as every node in `before(node)` has been visited
 * successfully (not level by level: a fast branch proceeds while a slow sibling is pending).
 * `after(node)` lists the nodes waiting on `node`. The graph must be acyclic.
 *
 * - At most `opts.concurrency` visits run at once; among ready nodes the smallest name starts first.
 * - When a visit rejects (or throws), no new visit starts; the walk waits for the visits in
 *   flight and then rejects with the FIRST error. Errors of visits still in flight are dropped.
 * - When `opts.signal` aborts, likewise no new visit starts and the walk rejects with the
 *   signal's reason once in-flight visits settle (a visit error seen first wins).
 * - A rejection value that is not an `Error` is wrapped in one (`cause` holds the value).
 */
export function walkGraph(
  nodes: readonly string[],
  before: (n: string) => readonly string[],
  after: (n: string) => readonly string[],
  visit: (name: string) => Promise<void>,
  opts: WalkOptions,
): Promise<void> {
  const limit = opts.concurrency <= 0 || !Number.isFinite(opts.concurrency) ? Infinity : Math.floor(opts.concurrency);
  const signal = opts.signal;
  return new Promise<void>((resolve, reject) => {
    const waitingOn = new Map(nodes.map((n) => [n, before(n).length]));
    const ready = nodes.filter((n) => waitingOn.get(n) === 0).sort();
    let inFlight = 0;
    let done = 0;
    let failure: { error: Error } | undefined;
    let settled = false;

    const finish = (outcome: () => void): void => {
      settled = true;
      signal?.removeEventListener('abort', pump);
      outcome();
    };

    const onDone = (n: string): void => {
      inFlight--;
      done++;
      for (const next of after(n)) {
        const left = (waitingOn.get(next) ?? 0) - 1;
        waitingOn.set(next, left);
        if (left === 0) insertSorted(ready, next);
      }
      pump();
    };

    const onError = (error: unknown): void => {
      inFlight--;
      failure ??= { error: asError(error) };
      pump();
    };

    function start(n: string): void {
      inFlight++;
      let p: Promise<void>;
      try {
        p = Promise.resolve(visit(n));
      } catch (err) {
        p = Promise.reject(asError(err));
      }
      p.then(() => onDone(n), onError);
    }

    function pump(): void {
      if (settled) return;
      while (failure === undefined && signal?.aborted !== true && inFlight < limit && ready.length > 0) {
        start(ready.shift()!);
      }
      if (inFlight > 0) return;
      if (failure !== undefined) {
        const err = failure.error;
        finish(() => reject(err));
      } else if (signal?.aborted === true) {
        const reason = asError(signal.reason);
        finish(() => reject(reason));
      } else if (done === nodes.length) {
        finish(resolve);
      } else {
        const stuck = nodes.filter((n) => (waitingOn.get(n) ?? 0) > 0);
        finish(() => reject(new Error(`walk cannot proceed, nodes wait on each other: ${stuck.join(', ')}`)));
      }
    }

    signal?.addEventListener('abort', pump, { once: true });
    pump();
  });
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value), { cause: value });
}
