/**
 * Go `time.Duration` parsing and printing: docker compose decodes every duration attribute
 * with `time.ParseDuration` and prints it back with `Duration.String()`, so `90s` shows as
 * `1m30s`. Values are kept as nanoseconds in a bigint (no precision loss).
 */

const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n],
  ['μs', 1_000n],
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const MAX = (1n << 63n) - 1n;

export class DurationError extends Error {}

/** Parses like Go's `time.ParseDuration`; throws `DurationError` with Go's message. */
export function parseGoDuration(text: string): bigint {
  const quoted = JSON.stringify(text);
  let s = text;
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw new DurationError(`time: invalid duration ${quoted}`);
  let total = 0n;
  while (s !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s);
    const intPart = m?.[1] ?? '';
    const fracPart = m?.[2];
    if (intPart === '' && (fracPart === undefined || fracPart === '')) throw new DurationError(`time: invalid duration ${quoted}`);
    s = s.slice(m?.[0].length ?? 0);
    const u = /^[^0-9.]+/.exec(s)?.[0] ?? '';
    if (u === '') throw new DurationError(`time: missing unit in duration ${quoted}`);
    const unit = UNITS.get(u);
    if (unit === undefined) throw new DurationError(`time: unknown unit ${JSON.stringify(u)} in duration ${quoted}`);
    s = s.slice(u.length);
    let v = BigInt(intPart === '' ? '0' : intPart) * unit;
    if (fracPart !== undefined && fracPart !== '') {
      // Go truncates the fractional part towards zero at nanosecond precision.
      v += (BigInt(fracPart) * unit) / 10n ** BigInt(fracPart.length);
    }
    total += v;
    if (total > MAX) throw new DurationError(`time: invalid duration ${quoted}`);
  }
  return neg ? -total : total;
}

function fraction(v: bigint, digits: number): string {
  const s = v.toString().padStart(digits, '0').replace(/0+$/, '');
  return s === '' ? '' : `.${s}`;
}

/** Formats like Go's `Duration.String()`: `1h2m3.5s`, `1m30s`, `1.5ms`, `0s`. */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  const u = ns < 0n ? -ns : ns;
  if (u < 1_000n) return `${sign}${u}ns`;
  if (u < 1_000_000n) return `${sign}${u / 1_000n}${fraction(u % 1_000n, 3)}µs`;
  if (u < 1_000_000_000n) return `${sign}${u / 1_000_000n}${fraction(u % 1_000_000n, 6)}ms`;
  const secs = u / 1_000_000_000n;
  const frac = fraction(u % 1_000_000_000n, 9);
  const h = secs / 3600n;
  const m = (secs % 3600n) / 60n;
  const sec = secs % 60n;
  if (h > 0n) return `${sign}${h}h${m}m${sec}${frac}s`;
  if (m > 0n) return `${sign}${m}m${sec}${frac}s`;
  return `${sign}${sec}${frac}s`;
}

/** `90s` ⇒ `1m30s`; throws `DurationError` when `text` is not a Go duration. */
export function canonicalDuration(text: string): string {
  return formatGoDuration(parseGoDuration(text));
}

/** A Go duration string in whole milliseconds (truncated), for engine specs. */
export function durationMs(text: string): number {
  return Number(parseGoDuration(text) / 1_000_000n);
}
