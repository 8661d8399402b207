import type { RawMap, RawValue } from './raw.js';
import { cloneRaw, copySelfMeta, isRawMap, tagOf } from './raw.js';
import type { MergeCtx } from './merge-tags.js';
import { hasKey, placeEntry, takeValue } from './merge-tags.js';
import { mergeList, PLAIN_APPEND } from './merge-lists.js';

/** Merges one entry; `base` is undefined when the earlier side has no such entry. */
export type Rule = (base: RawValue | undefined, over: RawValue, ctx: MergeCtx) => RawValue;

/**
 * Merges two mappings key by key. Earlier keys keep their order, new keys follow. An
 * override entry tagged `!reset` removes the key, `!override` replaces it without merging;
 * other entries are merged with `ruleFor(key)`. Merged entries carry the position of the
 * override entry (the later file), untouched ones that of the base.
 */
export function mergeMap(base: RawMap | undefined, over: RawMap, ctx: MergeCtx, ruleFor: (key: string) => Rule): RawMap {
  const out: RawMap = {};
  copySelfMeta(over, out);
  if (base !== undefined) copySelfMeta(base, out);
  const live = (k: string): boolean => base !== undefined && hasKey(base, k) && tagOf(base, k) !== 'reset';
  if (base !== undefined) {
    for (const [k, v] of Object.entries(base)) {
      if (!live(k)) continue;
      if (hasKey(over, k)) mergeEntry(out, k, v, over, ctx, ruleFor(k));
      else placeEntry(out, k, takeValue(v, false), base, k, false);
    }
  }
  for (const k of Object.keys(over)) {
    if (!live(k)) mergeEntry(out, k, undefined, over, ctx, ruleFor(k));
  }
  return out;
}

function mergeEntry(out: RawMap, k: string, base: RawValue | undefined, over: RawMap, ctx: MergeCtx, rule: Rule): void {
  const value = over[k] ?? null;
  switch (tagOf(over, k)) {
    case 'reset':
      if (ctx.keepTags) placeEntry(out, k, cloneRaw(value), over, k, true);
      return;
    case 'override':
      placeEntry(out, k, takeValue(value, ctx.keepTags), over, k, ctx.keepTags);
      return;
    case undefined:
      placeEntry(out, k, rule(base, value, ctx), over, k, false);
      return;
  }
}

/** The later value, as given. */
export const replaceRule: Rule = (_base, over, ctx) => takeValue(over, ctx.keepTags);

/**
 * The default rule: mappings merge recursively with `childRule`, sequences are appended,
 * scalars replaced. An override `null` says nothing and keeps the base. Mismatched shapes:
 * the later value replaces.
 */
export function defaultRule(childRule: (key: string) => Rule = () => defaultRule()): Rule {
  return (base, over, ctx) => {
    if (over === null && base !== undefined) return takeValue(base, false);
    if (isRawMap(over) && (base === undefined || isRawMap(base))) return mergeMap(base, over, ctx, childRule);
    if (Array.isArray(over) && (base === undefined || Array.isArray(base))) return mergeList(base, over, ctx, PLAIN_APPEND);
    return takeValue(over, ctx.keepTags);
  };
}

/** Mapping whose entries all use `entryRule` (e.g. `services`, `ulimits`). */
export function mapOf(entryRule: Rule): Rule {
  return (base, over, ctx) => {
    if (over === null && base !== undefined) return takeValue(base, false);
    if (isRawMap(over) && (base === undefined || isRawMap(base))) return mergeMap(base, over, ctx, () => entryRule);
    return takeValue(over, ctx.keepTags);
  };
}

/**
 * Both sides converted by `convert` before merging with `merge` (e.g. list form → map form).
 * With one side only, the value keeps its own form.
 */
export function converted<T extends RawValue>(
  convert: (v: RawValue) => T | undefined,
  merge: (base: T | undefined, over: T, ctx: MergeCtx) => RawValue,
): Rule {
  return (base, over, ctx) => {
    if (over === null && base !== undefined) return takeValue(base, false);
    const o = convert(over);
    if (o === undefined) return takeValue(over, ctx.keepTags);
    if (base === undefined) return Array.isArray(over) && Array.isArray(o) ? merge(undefined, o, ctx) : takeValue(over, ctx.keepTags);
    const b = convert(base);
    if (b === undefined) return takeValue(over, ctx.keepTags);
    return merge(b, o, ctx);
  };
}
