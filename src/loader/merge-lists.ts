import type { RawMap, RawValue } from './raw.js';
import { containsTags, copyEntryMeta, copySelfMeta, isRawMap, tagOf } from './raw.js';
import type { MergeCtx } from './merge-tags.js';
import { canonicalText, placeItem, takeBase, takeOver } from './merge-tags.js';

export interface ListRule {
  /** Identity of an entry; also what a `!reset` / `!override` list item refers to. */
  readonly key: (entry: RawValue) => string | undefined;
  /** A later entry with the same key replaces the earlier one, in the earlier one's place. */
  readonly unique: boolean;
  /** With `unique`: how two entries with the same key combine (default: the later one wins). */
  readonly combine?: (earlier: RawValue, later: RawValue, ctx: MergeCtx) => RawValue;
}

export const PLAIN_APPEND: ListRule = { key: canonicalText, unique: false };
export const APPEND_UNIQUE: ListRule = { key: canonicalText, unique: true };

/**
 * Appends `over` to `base` under `rule`. A `!reset` item of `over` removes the base entries
 * with the same identity and is not added itself; an `!override` item removes them and is
 * added as given. De-duplication also applies within one side, as compose-go's "unicity"
 * pass does after every merge.
 */
export function mergeList(base: RawValue[] | undefined, over: RawValue[], ctx: MergeCtx, rule: ListRule): RawValue[] {
  if (ctx.inPlace === true && base === undefined && adoptable(over, rule)) return over;
  const dropped = new Set<string>();
  over.forEach((item, i) => {
    if (tagOf(over, i) === undefined) return;
    const k = rule.key(item);
    if (k !== undefined) dropped.add(k);
  });
  const out: RawValue[] = [];
  copySelfMeta(over, out);
  if (base !== undefined) copySelfMeta(base, out);
  const index = new Map<string, number>();
  const add = (item: RawValue, from: RawValue[], i: number): void => {
    const k = rule.key(item);
    const at = rule.unique && k !== undefined ? index.get(k) : undefined;
    if (at !== undefined) {
      const earlier = out[at] ?? null;
      placeItem(out, at, rule.combine !== undefined ? rule.combine(earlier, item, ctx) : item, from, i);
      return;
    }
    if (k !== undefined && !index.has(k)) index.set(k, out.length);
    placeItem(out, out.length, item, from, i);
  };
  base?.forEach((item, i) => {
    if (tagOf(base, i) === 'reset') return;
    const k = rule.key(item);
    if (k !== undefined && dropped.has(k)) return;
    add(takeBase(item, ctx), base, i);
  });
  over.forEach((item, i) => {
    if (tagOf(over, i) === 'reset') return;
    add(takeOver(item, ctx), over, i);
  });
  return out;
}

/** Whether merging `over` with nothing underneath would give the same list (no tags, nothing de-duplicated). */
function adoptable(over: RawValue[], rule: ListRule): boolean {
  if (containsTags(over)) return false;
  if (!rule.unique) return true;
  const seen = new Set<string>();
  for (const item of over) {
    const k = rule.key(item);
    if (k === undefined) continue;
    if (seen.has(k)) return false;
    seen.add(k);
  }
  return true;
}

/** A string is a one-entry list (`dns: 8.8.8.8`); other shapes are returned as they are. */
export function promoteString(value: RawValue): RawValue {
  return typeof value === 'string' ? [value] : value;
}

/**
 * `K=V` list or map → map. A list entry `K` without `=` becomes `K: null` ("value from the
 * environment"). Entries keep their positions and tags (so `- !reset FOO` drops `FOO`).
 * Undefined when the value has another shape.
 */
export function toKeyedMap(value: RawValue): RawMap | undefined {
  if (isRawMap(value)) return value;
  if (!Array.isArray(value)) return undefined;
  const out: RawMap = {};
  copySelfMeta(value, out);
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') return undefined;
    const text = String(item);
    const eq = text.indexOf('=');
    const key = eq >= 0 ? text.slice(0, eq) : text;
    out[key] = eq >= 0 ? text.slice(eq + 1) : null;
    copyEntryMeta(value, i, out, key);
  }
  return out;
}

/** `extra_hosts` map form (`host: ip` or `host: [ip, …]`) → `host=ip` list. */
export function toHostList(value: RawValue): RawValue[] | undefined {
  if (Array.isArray(value)) return value;
  if (!isRawMap(value)) return undefined;
  const out: RawValue[] = [];
  copySelfMeta(value, out);
  for (const [host, ips] of Object.entries(value)) {
    for (const ip of Array.isArray(ips) ? ips : [ips]) {
      if (isRawMap(ip) || Array.isArray(ip)) return undefined;
      copyEntryMeta(value, host, out, out.length);
      out.push(`${host}=${ip === null ? '' : String(ip)}`);
    }
  }
  return out;
}

/**
 * List form → map form for `depends_on` (`{condition: service_started, required: true}`),
 * service `networks` and `models` (`null`: attached with defaults). Maps pass through.
 */
export function listToMap(value: RawValue, entry: () => RawValue): RawMap | undefined {
  if (isRawMap(value)) return value;
  if (!Array.isArray(value)) return undefined;
  const out: RawMap = {};
  copySelfMeta(value, out);
  for (let i = 0; i < value.length; i++) {
    const name = value[i];
    if (typeof name !== 'string') return undefined;
    out[name] = entry();
    copyEntryMeta(value, i, out, name);
  }
  return out;
}
