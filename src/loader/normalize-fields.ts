import type { DiagnosticBag, ModelPath } from '../errors/diagnostic.js';
import type { RawMap } from './raw.js';
import { copyEntryMeta, entryLocation, isRawMap } from './raw.js';
import type { Lookup } from './types.js';
import { DurationError, canonicalDuration } from './go-duration.js';
import { stringValuesInPlace, toStringMap } from './normalize-maps.js';
import { hasOwn, replaceEntry } from './normalize-util.js';
import { ShellWordsError, splitShellWords } from '../model/shell-words.js';

export interface ServiceContext {
  readonly diags: DiagnosticBag;
  readonly lookup: Lookup;
  readonly path: ModelPath;
}

export function fail(ctx: ServiceContext, at: object, key: string | number, rel: ModelPath, message: string): void {
  ctx.diags.error('normalize', message, entryLocation(at, key), [...ctx.path, ...rel]);
}

/** Strings become one-element lists (`dns: 8.8.8.8`); other values are left alone. */
export function stringToList(m: RawMap, key: string): void {
  const v = m[key];
  if (typeof v !== 'string') return;
  const list = [v];
  copyEntryMeta(m, key, list, 0);
  replaceEntry(m, key, list, v);
}

export function shellCommand(ctx: ServiceContext, m: RawMap, key: string, rel: ModelPath): void {
  const v = m[key];
  if (typeof v !== 'string') return;
  try {
    replaceEntry(m, key, splitShellWords(v), v);
  } catch (err) {
    if (!(err instanceof ShellWordsError)) throw err;
    fail(ctx, m, key, [...rel, key], err.message);
  }
}

/**
 * Canonical forms of durations already seen: a project repeats the same few (`30s`, `5s`) in
 * every service, and the bigint arithmetic behind each one is slow in code not yet optimised.
 */
const canonical = new Map<string, string>();
const CANONICAL_CACHE_LIMIT = 1000;

function canonicalDurationOnce(text: string): string {
  let out = canonical.get(text);
  if (out === undefined) {
    out = canonicalDuration(text);
    if (canonical.size < CANONICAL_CACHE_LIMIT) canonical.set(text, out);
  }
  return out;
}

export function duration(ctx: ServiceContext, m: RawMap | undefined, key: string, rel: ModelPath): void {
  if (m === undefined || !hasOwn(m, key)) return;
  const v = m[key];
  if (typeof v !== 'string' && typeof v !== 'number') return;
  try {
    m[key] = canonicalDurationOnce(String(v));
  } catch (err) {
    if (!(err instanceof DurationError)) throw err;
    fail(ctx, m, key, [...rel, key], err.message);
  }
}

export function stringMap(m: RawMap, key: string, bare: 'null' | 'empty'): void {
  const v = m[key];
  if (v === undefined || (!Array.isArray(v) && !isRawMap(v))) return;
  // A mapping keeps its keys and positions: only its values change, so it is updated in place.
  if (isRawMap(v)) stringValuesInPlace(v, bare);
  else replaceEntry(m, key, toStringMap(v, bare), v);
}

