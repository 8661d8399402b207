import type { ModelPath, SourceLocation } from '../errors/diagnostic.js';
import type { Pos } from './raw-meta.js';
import { carry, findSlot, locOf, metaStore, metaOf, NodeMeta, slotFor, STRIDE } from './raw-meta.js';

/**
 * The loader works on plain data as YAML gives it ("raw" values) until normalization
 * turns it into the typed `Project`. Positions and `!reset` / `!override` tags are kept
 * beside the data, attached to the container object, so that every stage can keep working
 * on plain objects and arrays.
 */
export type RawScalar = string | number | boolean | null;
export type RawValue = RawScalar | RawValue[] | RawMap;
export interface RawMap {
  [key: string]: RawValue;
}

export type MergeTag = 'reset' | 'override';

/** Whether the YAML reader found no `$` in any string of `container` (see `NodeMeta.dollarFree`). */
export function isDollarFree(container: object): boolean {
  return metaStore.get(container)?.dollarFree === true;
}

export function isRawMap(v: unknown): v is RawMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function setSelfLocation(container: object, loc: SourceLocation | undefined): void {
  if (loc !== undefined) metaOf(container).self = loc;
}

export function selfLocation(container: object): SourceLocation | undefined {
  const m = metaStore.get(container);
  return m === undefined ? undefined : locOf(m, m.self);
}

export function setEntryLocation(
  container: object,
  key: string | number,
  valueLoc: SourceLocation | undefined,
  keyLoc?: SourceLocation,
): void {
  if (valueLoc === undefined && keyLoc === undefined) return;
  if (valueLoc === undefined && typeof key !== 'string') return;
  const m = metaOf(container);
  const i = slotFor(m, key);
  const s = m.slots!;
  if (valueLoc !== undefined) s[i + 1] = valueLoc;
  if (keyLoc !== undefined && typeof key === 'string') s[i + 2] = keyLoc;
}

/** Location of an entry's value (falls back to its key, then to the container). */
export function entryLocation(container: object, key: string | number): SourceLocation | undefined {
  const m = metaStore.get(container);
  if (m === undefined) return undefined;
  const i = findSlot(m, key);
  if (i === -1) return locOf(m, m.self);
  const s = m.slots!;
  return locOf(m, (s[i + 1] as Pos | undefined) ?? (s[i + 2] as Pos | undefined) ?? m.self);
}

/** Location of a map key (falls back to the value, then to the container). */
export function keyLocation(container: object, key: string): SourceLocation | undefined {
  const m = metaStore.get(container);
  if (m === undefined) return undefined;
  const i = findSlot(m, key);
  if (i === -1) return locOf(m, m.self);
  const s = m.slots!;
  return locOf(m, (s[i + 2] as Pos | undefined) ?? (s[i + 1] as Pos | undefined) ?? m.self);
}

export function setTag(container: object, key: string | number, tag: MergeTag): void {
  (metaOf(container).tags ??= new Map()).set(key, tag);
}

export function tagOf(container: object, key: string | number): MergeTag | undefined {
  return metaStore.get(container)?.tags?.get(key);
}

export function clearTag(container: object, key: string | number): void {
  metaStore.get(container)?.tags?.delete(key);
}

/**
 * Copies the position (and tag) of `from[fromKey]` onto `to[toKey]`. Stages that build new
 * containers call this so errors found later still point at the right file and line.
 */
export function copyEntryMeta(from: object, fromKey: string | number, to: object, toKey: string | number): void {
  const src = metaStore.get(from);
  if (src === undefined) return;
  const i = findSlot(src, fromKey);
  const v = i === -1 ? undefined : (src.slots![i + 1] as Pos | undefined);
  const k = i === -1 || typeof toKey !== 'string' ? undefined : (src.slots![i + 2] as Pos | undefined);
  const t = src.tags?.get(fromKey);
  if (v === undefined && k === undefined && t === undefined) return;
  const m = metaOf(to);
  if (v !== undefined || k !== undefined) {
    const j = slotFor(m, toKey);
    const s = m.slots!;
    if (v !== undefined) s[j + 1] = carry(src, v, m);
    if (k !== undefined) s[j + 2] = carry(src, k, m);
  }
  if (t !== undefined) (m.tags ??= new Map()).set(toKey, t);
}

/** Forgets the position and tag of one entry (an entry removed in place). */
export function clearEntryMeta(container: object, key: string | number): void {
  const m = metaStore.get(container);
  if (m === undefined) return;
  const i = findSlot(m, key);
  if (i !== -1) m.slots![i + 1] = m.slots![i + 2] = undefined;
  m.tags?.delete(key);
}

/**
 * Gives `to[toKey]` the position of `from[fromKey]` and no tag, dropping what `to` had for
 * it: the same metadata `placeEntry` gives a fresh container, for a container updated in place.
 */
export function replaceEntryMeta(from: object, fromKey: string, to: object, toKey: string): void {
  const dst = metaStore.get(to);
  const src = metaStore.get(from);
  const i = src === undefined ? -1 : findSlot(src, fromKey);
  const v = i === -1 ? undefined : (src!.slots![i + 1] as Pos | undefined);
  const k = i === -1 ? undefined : (src!.slots![i + 2] as Pos | undefined);
  if (dst !== undefined) {
    dst.tags?.delete(toKey);
    if (v === undefined && k === undefined) {
      const j = findSlot(dst, toKey);
      if (j !== -1) dst.slots![j + 1] = dst.slots![j + 2] = undefined;
      return;
    }
  } else if (v === undefined && k === undefined) return;
  const m = dst ?? metaOf(to);
  const j = slotFor(m, toKey);
  m.slots![j + 1] = carry(src!, v, m);
  m.slots![j + 2] = carry(src!, k, m);
}

/** Copies the container's own position from one container to another. */
export function copySelfMeta(from: object, to: object): void {
  const src = metaStore.get(from);
  if (src?.self === undefined) return;
  const m = metaOf(to);
  m.self = carry(src, src.self, m);
}

/**
 * Finds the best location for a model path: the deepest node that exists along the path.
 * With `forKey`, the last segment is a map key to point at (unknown properties).
 */
export function locate(root: RawValue | undefined, path: ModelPath, forKey = false): SourceLocation | undefined {
  let node: RawValue | undefined = root;
  let best: SourceLocation | undefined =
    typeof root === 'object' && root !== null ? selfLocation(root) : undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (seg === undefined || typeof node !== 'object' || node === null) break;
    const last = i === path.length - 1;
    const loc = last && forKey && typeof seg === 'string' ? keyLocation(node, seg) : entryLocation(node, seg);
    if (loc !== undefined) best = loc;
    const next: RawValue | undefined = Array.isArray(node)
      ? typeof seg === 'number'
        ? node[seg]
        : undefined
      : typeof seg === 'string'
        ? node[seg]
        : undefined;
    node = next;
  }
  return best;
}

/** Whether any container in `value` carries a `!reset` / `!override` tag. */
export function containsTags(value: RawValue): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const tags = metaStore.get(value)?.tags;
  if (tags !== undefined && tags.size > 0) return true;
  if (Array.isArray(value)) return value.some(containsTags);
  for (const k in value) if (containsTags(value[k]!)) return true;
  return false;
}

/** Deep copy that keeps every position and tag. */
export function cloneRaw<T extends RawValue>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  let out: RawValue[] | RawMap;
  if (Array.isArray(value)) {
    const list: RawValue[] = new Array<RawValue>(value.length);
    for (let i = 0; i < value.length; i++) list[i] = cloneRaw(value[i]!);
    out = list;
  } else {
    const map: RawMap = {};
    for (const k of Object.keys(value)) map[k] = cloneRaw(value[k]!);
    out = map;
  }
  // The copy has the same keys and indices, so the tables are copied whole.
  const src = metaStore.get(value);
  if (src !== undefined) {
    const m = new NodeMeta();
    m.self = src.self;
    m.lines = src.lines;
    m.dollarFree = src.dollarFree;
    if (src.slots !== undefined) m.slots = src.slots.slice();
    if (src.tags !== undefined) m.tags = new Map(src.tags);
    metaStore.attach(out, m);
  }
  return out as T;
}

/** What a container's metadata says, in a form that compares by content (for tests). */
export interface MetaSnapshot {
  self: SourceLocation | undefined;
  values: Map<string | number, SourceLocation> | undefined;
  keys: Map<string, SourceLocation> | undefined;
  tags: Map<string | number, MergeTag> | undefined;
}

export function metaSnapshot(container: object): MetaSnapshot | undefined {
  const m = metaStore.get(container);
  if (m === undefined) return undefined;
  let values: Map<string | number, SourceLocation> | undefined;
  let keys: Map<string, SourceLocation> | undefined;
  const s = m.slots ?? [];
  for (let i = 0; i < s.length; i += STRIDE) {
    const key = s[i] as string | number;
    const v = locOf(m, s[i + 1] as Pos | undefined);
    const k = locOf(m, s[i + 2] as Pos | undefined);
    if (v !== undefined) (values ??= new Map()).set(key, v);
    if (k !== undefined && typeof key === 'string') (keys ??= new Map()).set(key, k);
  }
  const tags = m.tags !== undefined && m.tags.size > 0 ? m.tags : undefined;
  return { self: locOf(m, m.self), values, keys, tags };
}
