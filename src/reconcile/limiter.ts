/** Runs async operations with at most `limit` in flight (`<= 0`: unlimited); refuses new ones once `signal` aborts. */
export interface Limiter {
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Highest number of operations that were in flight at once (for tests and diagnostics). */
  readonly maxInFlight: number;
}

export class AbortedError extends Error {
  constructor() {
    super('operation canceled');
    this.name = 'AbortedError';
  }
}

export function createLimiter(limit: number, signal?: AbortSignal): Limiter {
  const max = limit <= 0 ? Infinity : limit;
  let inFlight = 0;
  let peak = 0;
  const queue: Array<() => void> = [];
  const aborted = (): boolean => signal?.aborted === true;
  // A finishing operation hands its slot straight to the next waiter, so no newcomer can slip in between.
  const release = (): void => {
    const next = queue.shift();
    if (next !== undefined) next();
    else inFlight--;
  };
  return {
    get maxInFlight() {
      return peak;
    },
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (aborted()) throw new AbortedError();
      if (inFlight < max) inFlight++;
      else await new Promise<void>((resolve) => queue.push(resolve));
      peak = Math.max(peak, inFlight);
      try {
        if (aborted()) throw new AbortedError();
        return await fn();
      } finally {
        release();
      }
    },
  };
}
