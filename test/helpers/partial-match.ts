import { isDeepStrictEqual } from 'node:util';

/** Marker in an expectation: the key must not exist. */
export const ABSENT = '<absent>';

export interface Mismatch {
  readonly path: string;
  readonly expected: unknown;
  readonly actual: unknown;
  readonly reason: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Replaces `${FIXTURE}` in every string of an expectation (keys included). */
export function substitute(value: unknown, fixtureDir: string): unknown {
  if (typeof value === 'string') return value.split('${FIXTURE}').join(fixtureDir);
  if (Array.isArray(value)) return value.map((v) => substitute(v, fixtureDir));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[substitute(k, fixtureDir) as string] = substitute(v, fixtureDir);
    return out;
  }
  return value;
}

/**
 * Partial deep match: objects need every expected key (extra actual keys are ignored),
 * arrays need the same length and element-wise matches, scalars must be strictly equal.
 */
export function partialMatch(expected: unknown, actual: unknown, path = ''): Mismatch[] {
  if (isObject(expected)) {
    if (!isObject(actual)) return [{ path, expected, actual, reason: 'expected an object' }];
    const out: Mismatch[] = [];
    for (const [key, exp] of Object.entries(expected)) {
      const has = Object.prototype.hasOwnProperty.call(actual, key);
      const p = join(path, key);
      if (exp === ABSENT) {
        if (has) out.push({ path: p, expected: ABSENT, actual: actual[key], reason: 'key must be absent' });
        continue;
      }
      if (!has) {
        out.push({ path: p, expected: exp, actual: undefined, reason: 'missing key' });
        continue;
      }
      out.push(...partialMatch(exp, actual[key], p));
    }
    return out;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [{ path, expected, actual, reason: 'expected an array' }];
    if (actual.length !== expected.length) {
      return [{ path, expected, actual, reason: `expected ${expected.length} elements, got ${actual.length}` }];
    }
    return expected.flatMap((exp, i) => partialMatch(exp, actual[i], join(path, i)));
  }
  if (!isDeepStrictEqual(expected, actual)) return [{ path, expected, actual, reason: 'different value' }];
  return [];
}

/** The value at a dotted path (`services.web.environment`), or undefined. */
export function valueAt(root: unknown, dotted: string): unknown {
  let cur: unknown = root;
  for (const seg of dotted.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

/** Exact check: the subtree at `dotted` must deep-equal the expected subtree. */
export function exactMatch(expected: unknown, actual: unknown, dotted: string): Mismatch[] {
  const exp = valueAt(expected, dotted);
  const act = valueAt(actual, dotted);
  if (isDeepStrictEqual(exp, act)) return [];
  return [{ path: dotted, expected: exp, actual: act, reason: 'exact match failed' }];
}

export function formatMismatches(list: readonly Mismatch[]): string {
  return list
    .map((m) => `  - ${m.path || '<root>'}: ${m.reason}\n    expected: ${JSON.stringify(m.expected)}\n    actual:   ${JSON.stringify(m.actual)}`)
    .join('\n');
}
