import type { RawMap, RawValue } from './raw.js';
import { clearEntryMeta, clearTag, copySelfMeta, isRawMap, replaceEntryMeta, selfLocation, tagOf } from './raw.js';
import type { MergeCtx } from './merge-tags.js';
import { hasKey, placeEntry, takeBase, takeOver, takeValue } from './merge-tags.js';
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
  if (ctx.inPlace === true) return base === undefined ? adoptMap(over, ctx, ruleFor) : mergeMapInPlace(base, over, ctx, ruleFor);
  const out: RawMap = {};
  copySelfMeta(over, out);
  if (base !== undefined) copySelfMeta(base, out);
  const live = (k: string): boolean => base !== undefined && hasKey(base, k) && tagOf(base, k) !== 'reset';
  if (base !== undefined) {
    for (const [k, v] of Object.entries(base)) {
      if (!live(k)) continue;
      if (hasKey(over, k)) mergeEntry(out, k, v, over, ctx, ruleFor(k));
      else placeEntry(out, k, takeBase(v, ctx), base, k, false);
    }
  }
  for (const k of Object.keys(over)) {
    if (!live(k)) mergeEntry(out, k, undefined, over, ctx, ruleFor(k));
  }
  return out;
}

/**
 * `mergeMap(base, over)` that updates `base` (tag-free) itself: an existing key keeps its
 * place, new keys follow in the override's order, so the result is the same mapping.
 */
function mergeMapInPlace(base: RawMap, over: RawMap, ctx: MergeCtx, ruleFor: (key: string) => Rule): RawMap {
  if (selfLocation(base) === undefined) copySelfMeta(over, base);
  for (const k of Object.keys(over)) {
    const has = hasKey(base, k);
    const value = over[k] ?? null;
    const tag = tagOf(over, k);
    if (tag === 'reset') {
      if (has) {
        delete base[k];
        clearEntryMeta(base, k);
      }
      continue;
    }
    base[k] = tag === 'override' ? takeValue(value, false) : ruleFor(k)(has ? base[k] : undefined, value, ctx);
    replaceEntryMeta(over, k, base, k);
  }
  return base;
}

/** `mergeMap(undefined, over)` that turns `over` itself into the result: tags applied, then dropped. */
function adoptMap(over: RawMap, ctx: MergeCtx, ruleFor: (key: string) => Rule): RawMap {
  for (const k of Object.keys(over)) {
    const value = over[k] ?? null;
    const tag = tagOf(over, k);
    if (tag === 'reset') {
      delete over[k];
      clearEntryMeta(over, k);
      continue;
    }
    const v = tag === 'override' ? takeValue(value, false) : ruleFor(k)(undefined, value, ctx);
    if (v !== value) over[k] = v;
    if (tag !== undefined) clearTag(over, k);
  }
  return over;
}

function mergeEntry(out: RawMap, k: string, base: RawValue | undefined, over: RawMap, ctx: MergeCtx, rule: Rule): void {
  const value = over[k] ?? null;
  switch (tagOf(over, k)) {
    case 'reset':
      if (ctx.keepTags) placeEntry(out, k, takeOver(value, ctx), over, k, true);
      return;
    case 'override':
      placeEntry(out, k, takeOver(value, ctx), over, k, ctx.keepTags);
      return;
    case undefined:
      placeEntry(out, k, rule(base, value, ctx), over, k, false);
      return;
  }
}

/** The later value, as given. */
export const replaceRule: Rule = (_base, over, ctx) => takeOver(over, ctx);

/**
 * The default rule: mappings merge recursively with `childRule`, sequences are appended,
 * scalars replaced. An override `null` says nothing and keeps the base. Mismatched shapes:
 * the later value replaces.
 */
export function defaultRule(childRule?: (key: string) => Rule): Rule {
  return childRule === undefined ? PLAIN_DEFAULT : makeDefaultRule(childRule);
}

function makeDefaultRule(childRule: (key: string) => Rule): Rule {
  return (base, over, ctx) => {
    if (over === null && base !== undefined) return takeBase(base, ctx);
    if (isRawMap(over) && (base === undefined || isRawMap(base))) return mergeMap(base, over, ctx, childRule);
    if (Array.isArray(over) && (base === undefined || Array.isArray(base))) return mergeList(base, over, ctx, PLAIN_APPEND);
    return takeOver(over, ctx);
  };
}

/** The default rule all the way down; one shared instance, as rules are looked up per key. */
const PLAIN_DEFAULT: Rule = makeDefaultRule(() => PLAIN_DEFAULT);

/** Mapping whose entries all use `entryRule` (e.g. `services`, `ulimits`). */
export function mapOf(entryRule: Rule): Rule {
  return (base, over, ctx) => {
    if (over === null && base !== undefined) return takeBase(base, ctx);
    if (isRawMap(over) && (base === undefined || isRawMap(base))) return mergeMap(base, over, ctx, () => entryRule);
    return takeOver(over, ctx);
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
    if (over === null && base !== undefined) return takeBase(base, ctx);
    const o = convert(over);
    if (o === undefined) return takeOver(over, ctx);
    if (base === undefined) return Array.isArray(over) && Array.isArray(o) ? merge(undefined, o, ctx) : takeOver(over, ctx);
    const b = convert(base);
    if (b === undefined) return takeOver(over, ctx);
    return merge(b, o, ctx);
  };
}
