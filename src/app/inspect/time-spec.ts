import { UsageError } from '../../errors/diagnostic.js';
import { DurationError, parseGoDuration } from '../../model/duration.js';

/**
 * `--since` / `--until` values as docker takes them: RFC 3339 (`2024-01-02T03:04:05Z`), a date
 * (`2024-01-02`), a Unix timestamp (`1704164645.5`) or a duration back from now (`10m`, `1h30m`).
 * Returns seconds since the epoch.
 */
export function parseTimeSpec(flag: string, value: string, nowMs: number): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  if (/^\d{4}-\d\d-\d\d/.test(value)) {
    // A time without a zone is local time, as in docker.
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms / 1000;
  } else {
    try {
      const ns = parseGoDuration(value);
      return (nowMs - Number(ns / 1_000_000n)) / 1000;
    } catch (err) {
      if (!(err instanceof DurationError)) throw err;
    }
  }
  throw new UsageError(`invalid value "${value}" for ${flag}: use a timestamp (2006-01-02T15:04:05Z), a Unix time or a duration like 10m`);
}
