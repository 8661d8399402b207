import { setTimeout as delay } from 'node:timers/promises';

export interface EventuallyOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Pause between attempts (default 100 ms). */
  intervalMs?: number;
  /** Prefix of the error thrown on timeout. */
  message?: string;
}

/** What a truthy check result can be. */
export type Truthy<T> = Exclude<T, null | undefined | false | 0 | ''>;

/**
 * Retries `check` until it returns a truthy value without throwing, and returns that value.
 * On timeout throws an error carrying the last failure, so a test says what never happened.
 */
export async function eventually<T>(check: () => Promise<T> | T, opts: EventuallyOptions = {}): Promise<Truthy<T>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
      last = new Error(`check returned ${String(value)}`);
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const reason = last instanceof Error ? last.message : String(last);
      throw new Error(`${opts.message ?? 'condition not met'} within ${timeoutMs} ms: ${reason}`, { cause: last });
    }
    await delay(intervalMs);
  }
}
