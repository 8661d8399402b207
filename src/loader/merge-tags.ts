import type { DiagnosticBag } from '../errors/diagnostic.js';
import type { RawMap, RawValue } from './raw.js';
import { clearTag, cloneRaw, containsTags, copyEntryMeta, copySelfMeta, isRawMap, setTag, tagOf } from './raw.js';

/** State shared by one merge. */
export interface MergeCtx {
  readonly diags: DiagnosticBag;
  /**
   * Keep the override's `!reset` / `!override` tags on the result. `extends` and `include`
   * produce a document that is merged over earlier files later, and the tags of the
   * extending service must still act on those earlier files then.
   */
  readonly keepTags: boolean;
  /**
   * Update the earlier side in place instead of building new containers (the loader's own
   * accumulated model, which nothing else refers to). The earlier side must carry no tags;
   * a later value without an earlier one is adopted in place too.
   */
  readonly inPlace?: boolean;
  /**
   * With `keepTags`: the override side is not used after the merge, so its values are taken
   * as they are instead of copied (their tags travel with them either way).
   */
  readonly shareOverride?: boolean;
  /**
   * The base side is still used elsewhere (an `extends` base): values taken from it are
   * copied, so the result shares nothing with it. Default: false (taken as they are).
   */
  readonly copyBase?: boolean;
}

/** Map-key membership that ignores the prototype. */
export function hasKey(map: RawMap, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(map, key);
}

/**
 * Copy of a value taken from one side only. Without `keepTags` the tags are applied as if
 * there were nothing underneath: `!reset` entries disappear and every tag is dropped.
 */
export function takeValue(value: RawValue, keepTags: boolean): RawValue {
  if (keepTags) return cloneRaw(value);
  // Both sides of a merge are thrown away afterwards, so a value without tags is taken as
  // it is: copying every subtree of every file made merging the slowest loader stage.
  return containsTags(value) ? stripTags(value) : value;
}

/** A value from the base side, as `takeValue(value, false)`, copied when the merge asks for it. */
export function takeBase(value: RawValue, ctx: MergeCtx): RawValue {
  if (ctx.copyBase !== true) return takeValue(value, false);
  return containsTags(value) ? stripTags(value) : cloneRaw(value);
}

/** A value from the override side, as `takeValue` with the merge's own `keepTags`. */
export function takeOver(value: RawValue, ctx: MergeCtx): RawValue {
  if (ctx.keepTags && ctx.shareOverride === true) return value;
  return takeValue(value, ctx.keepTags);
}

/** Removes `!reset` entries and all tags, keeping positions. */
export function stripTags(value: RawValue): RawValue {
  if (Array.isArray(value)) {
    const out: RawValue[] = [];
    copySelfMeta(value, out);
    value.forEach((item, i) => {
      if (tagOf(value, i) === 'reset') return;
      const j = out.length;
      out.push(stripTags(item));
      copyEntryMeta(value, i, out, j);
      clearTag(out, j);
    });
    return out;
  }
  if (isRawMap(value)) {
    const out: RawMap = {};
    copySelfMeta(value, out);
    for (const [k, v] of Object.entries(value)) {
      if (tagOf(value, k) === 'reset') continue;
      out[k] = stripTags(v);
      copyEntryMeta(value, k, out, k);
      clearTag(out, k);
    }
    return out;
  }
  return value;
}

/** Sets `out[key]` with the position of `from[fromKey]`; the source tag is kept only on request. */
export function placeEntry(
  out: RawMap,
  key: string,
  value: RawValue,
  from: object,
  fromKey: string | number,
  keepTag: boolean,
): void {
  out[key] = value;
  copyEntryMeta(from, fromKey, out, key);
  const tag = tagOf(from, fromKey);
  if (keepTag && tag !== undefined) setTag(out, key, tag);
  else clearTag(out, key);
}

/** Sets `out[index]` with the position of `from[fromKey]`, without tag. */
export function placeItem(out: RawValue[], index: number, value: RawValue, from: object, fromKey: string | number): void {
  out[index] = value;
  copyEntryMeta(from, fromKey, out, index);
  clearTag(out, index);
}

/** Stable text form of a value (map keys sorted) used as identity for de-duplication. */
export function canonicalText(value: RawValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalText).join(',')}]`;
  if (isRawMap(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalText(value[k] ?? null)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
