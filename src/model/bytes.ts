/**
 * Byte sizes as Compose writes them (`shm_size`, `mem_limit`, tmpfs `size`): a plain number of
 * bytes, or a number with a unit `b`, `k`/`kb`, `m`/`mb`, `g`/`gb` (binary multiples, case-insensitive),
 * like docker's `units.RAMInBytes`.
 */
const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

export class ByteSizeError extends Error {}

/** `64M` ⇒ 67108864; throws `ByteSizeError` when `value` is not a size. */
export function parseBytes(value: number | string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new ByteSizeError(`invalid size: ${value}`);
    return Math.floor(value);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?\s*$/i.exec(value) ?? /^\s*(\d+(?:\.\d+)?)\s*(b?)\s*$/i.exec(value);
  if (m === null) throw new ByteSizeError(`invalid size: '${value}'`);
  const unit = UNITS[(m[2] ?? '').toLowerCase()] ?? 1;
  return Math.floor(Number(m[1]) * unit);
}
