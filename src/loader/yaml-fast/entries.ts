import type { MergeTag, RawMap, RawValue } from '../raw.js';
import type { EntryMeta } from '../raw-meta.js';
import { putEntry } from '../raw-meta.js';
import { cloneRaw, copyEntryMeta, isRawMap } from '../raw.js';
import { resolvePlain } from './scalars.js';
import type { St } from './state.js';
import { bail, isBlankOrEnd, isFlowIndicator, SPACE, TAB } from './state.js';

/** Adds one explicit map entry the way the slow path's `convert` does. */
export function addEntry(
  out: RawMap,
  meta: EntryMeta,
  k: string,
  v: RawValue,
  valueAt: number,
  keyAt: number,
  tag: MergeTag | undefined,
): void {
  if (k === '__proto__' || Object.prototype.hasOwnProperty.call(out, k)) bail('duplicate or special key');
  out[k] = v;
  putEntry(meta, k, valueAt, keyAt, tag);
}

/** The mappings a `<<` value names: one mapping or a sequence of mappings. */
export function mergeSources(v: RawValue, into: RawMap[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (!isRawMap(item)) bail('merge of a non-mapping');
      into.push(item);
    }
  } else if (isRawMap(v)) into.push(v);
  else bail('merge of a non-mapping');
}

/**
 * Merge keys: explicit keys win, and among merged maps the first one listed wins. Sources in
 * `shared` are anchored nodes themselves (`<<: *name`): their values are copied.
 */
export function applyMerges(out: RawMap, sources: RawMap[], shared?: ReadonlySet<RawMap>): void {
  for (const src of sources) {
    const copy = shared?.has(src) === true;
    for (const k of Object.keys(src)) {
      if (Object.prototype.hasOwnProperty.call(out, k)) continue;
      if (k === '__proto__') bail('special key');
      out[k] = copy ? cloneRaw(src[k]!) : src[k]!;
      copyEntryMeta(src, k, out, k);
    }
  }
}

function readName(st: St): string {
  const src = st.src;
  const start = ++st.pos;
  let p = start;
  let c = src.charCodeAt(p);
  while (!isBlankOrEnd(c) && !isFlowIndicator(c)) c = src.charCodeAt(++p);
  st.pos = p;
  if (p === start) bail('empty anchor or alias name');
  return src.slice(start, p);
}

/** Reads `&anchor` and `!reset` / `!override` before a node into `propAnchor` / `propTag`. */
export function readProps(st: St): void {
  st.propAnchor = undefined;
  st.propTag = undefined;
  for (;;) {
    const c = st.code(st.pos);
    if (c === 0x26) {
      if (st.propAnchor !== undefined) bail('two anchors');
      st.propAnchor = readName(st);
    } else if (c === 0x21) {
      if (st.propTag !== undefined) bail('two tags');
      const start = st.pos;
      let d = c;
      while (!isBlankOrEnd(d)) d = st.code(++st.pos);
      const tag = st.src.slice(start, st.pos);
      if (tag === '!reset') st.propTag = 'reset';
      else if (tag === '!override') st.propTag = 'override';
      else bail('unsupported tag');
    } else return;
    const d = st.code(st.pos);
    if (d !== SPACE && d !== TAB && !isBlankOrEnd(d)) bail('property not followed by space');
    while (st.code(st.pos) === SPACE || st.code(st.pos) === TAB) st.pos++;
  }
}

/** Expands `*name` into its own copy of the anchored value, as the slow path does. */
export function readAlias(st: St): RawValue {
  return cloneRaw(readAliasTarget(st));
}

/** The anchored value `*name` refers to, not copied: the caller copies what it keeps. */
export function readAliasTarget(st: St): RawValue {
  const start = st.pos;
  const name = readName(st);
  const anchor = st.anchors.get(name);
  if (anchor === undefined || st.pending.has(name)) bail('unknown or recursive alias');
  st.countVisit(1 + anchor.size);
  st.opaque++;
  st.at = start;
  st.plain = anchor.plain;
  st.tag = undefined;
  return anchor.value;
}

/** Records an anchored node once it is complete (its value before the `mode` rule). */
export function defineAnchor(st: St, name: string, value: RawValue, visitsBefore: number): void {
  st.pending.delete(name);
  st.anchors.set(name, { value, plain: st.plain, size: st.visits - visitsBefore });
}

/** Plain key text must resolve to a string in the core schema; anything else goes to the slow path. */
export function plainKey(text: string): string {
  if (typeof resolvePlain(text) !== 'string') bail('non-string key');
  return text;
}
