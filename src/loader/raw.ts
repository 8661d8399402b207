import type { ModelPath, SourceLocation } from '../errors/diagnostic.js';

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

/** One shape for every container's metadata, so that reading it stays monomorphic. */
class NodeMeta {
  /** Location of the container node itself. */
  self: SourceLocation | undefined = undefined;
  /** Location of each map key (for unknown-property errors); created on first use. */
  keys: Map<string, SourceLocation> | undefined = undefined;
  /** Location of each entry's value, by key or index; created on first use. */
  values: Map<string | number, SourceLocation> | undefined = undefined;
  /** `!reset` / `!override` tags on entries; created on first use. */
  tags: Map<string | number, MergeTag> | undefined = undefined;
  /**
   * Set by the YAML reader: no string below this container contains `$`, so interpolation
   * has nothing to substitute in it. Only read before anything changes the document.
   */
  dollarFree = false;
}

// Kept on the container itself under a non-enumerable symbol: invisible to Object.keys,
// JSON and spreads, and much cheaper than a WeakMap on large files.
const META = Symbol('berth.raw.meta');
type WithMeta = { [META]?: NodeMeta };

const metaTable = {
  get(container: object): NodeMeta | undefined {
    return (container as WithMeta)[META];
  },
};

function attachMeta(container: object, m: NodeMeta): NodeMeta {
  Object.defineProperty(container, META, { value: m, enumerable: false, writable: false, configurable: true });
  return m;
}

function metaOf(container: object): NodeMeta {
  return (container as WithMeta)[META] ?? attachMeta(container, new NodeMeta());
}

/** The metadata of a container being filled by a reader, kept at hand so each entry costs no lookup. */
export type EntryMeta = NodeMeta;

/** Starts the metadata of a new, still empty container at `self`. */
export function startMeta(container: object, self: SourceLocation): EntryMeta {
  const m = new NodeMeta();
  m.self = self;
  return attachMeta(container, m);
}

/** `setEntryLocation` and `setTag` for a container started with `startMeta`. */
export function putEntry(m: EntryMeta, key: string | number, valueLoc: SourceLocation, keyLoc?: SourceLocation, tag?: MergeTag): void {
  (m.values ??= new Map()).set(key, valueLoc);
  if (keyLoc !== undefined && typeof key === 'string') (m.keys ??= new Map()).set(key, keyLoc);
  if (tag !== undefined) (m.tags ??= new Map()).set(key, tag);
}

/** Whether the YAML reader found no `$` in any string of `container` (see `NodeMeta.dollarFree`). */
export function isDollarFree(container: object): boolean {
  return metaTable.get(container)?.dollarFree === true;
}

export function isRawMap(v: unknown): v is RawMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function setSelfLocation(container: object, loc: SourceLocation | undefined): void {
  if (loc !== undefined) metaOf(container).self = loc;
}

export function selfLocation(container: object): SourceLocation | undefined {
  return metaTable.get(container)?.self;
}

export function setEntryLocation(
  container: object,
  key: string | number,
  valueLoc: SourceLocation | undefined,
  keyLoc?: SourceLocation,
): void {
  if (valueLoc === undefined && keyLoc === undefined) return;
  const m = metaOf(container);
  if (valueLoc !== undefined) (m.values ??= new Map()).set(key, valueLoc);
  if (keyLoc !== undefined && typeof key === 'string') (m.keys ??= new Map()).set(key, keyLoc);
}

/** Location of an entry's value (falls back to its key, then to the container). */
export function entryLocation(container: object, key: string | number): SourceLocation | undefined {
  const m = metaTable.get(container);
  if (m === undefined) return undefined;
  return m.values?.get(key) ?? (typeof key === 'string' ? m.keys?.get(key) : undefined) ?? m.self;
}

/** Location of a map key (falls back to the value, then to the container). */
export function keyLocation(container: object, key: string): SourceLocation | undefined {
  const m = metaTable.get(container);
  if (m === undefined) return undefined;
  return m.keys?.get(key) ?? m.values?.get(key) ?? m.self;
}

export function setTag(container: object, key: string | number, tag: MergeTag): void {
  (metaOf(container).tags ??= new Map()).set(key, tag);
}

export function tagOf(container: object, key: string | number): MergeTag | undefined {
  return metaTable.get(container)?.tags?.get(key);
}

export function clearTag(container: object, key: string | number): void {
  metaTable.get(container)?.tags?.delete(key);
}

/**
 * Copies the position (and tag) of `from[fromKey]` onto `to[toKey]`. Stages that build new
 * containers call this so errors found later still point at the right file and line.
 */
export function copyEntryMeta(from: object, fromKey: string | number, to: object, toKey: string | number): void {
  const src = metaTable.get(from);
  if (src === undefined) return;
  const v = src.values?.get(fromKey);
  const k = typeof fromKey === 'string' && typeof toKey === 'string' ? src.keys?.get(fromKey) : undefined;
  const t = src.tags?.get(fromKey);
  if (v === undefined && k === undefined && t === undefined) return;
  const m = metaOf(to);
  if (v !== undefined) (m.values ??= new Map()).set(toKey, v);
  if (k !== undefined && typeof toKey === 'string') (m.keys ??= new Map()).set(toKey, k);
  if (t !== undefined) (m.tags ??= new Map()).set(toKey, t);
}

/** Forgets the position and tag of one entry (an entry removed in place). */
export function clearEntryMeta(container: object, key: string | number): void {
  const m = metaTable.get(container);
  if (m === undefined) return;
  m.values?.delete(key);
  if (typeof key === 'string') m.keys?.delete(key);
  m.tags?.delete(key);
}

/**
 * Gives `to[toKey]` the position of `from[fromKey]` and no tag, dropping what `to` had for
 * it: the same metadata `placeEntry` gives a fresh container, for a container updated in place.
 */
export function replaceEntryMeta(from: object, fromKey: string, to: object, toKey: string): void {
  const dst = metaTable.get(to);
  if (dst !== undefined) {
    dst.values?.delete(toKey);
    dst.keys?.delete(toKey);
    dst.tags?.delete(toKey);
  }
  const src = metaTable.get(from);
  if (src === undefined) return;
  const v = src.values?.get(fromKey);
  const k = src.keys?.get(fromKey);
  if (v === undefined && k === undefined) return;
  const m = dst ?? metaOf(to);
  if (v !== undefined) (m.values ??= new Map()).set(toKey, v);
  if (k !== undefined) (m.keys ??= new Map()).set(toKey, k);
}

/** Copies the container's own position from one container to another. */
export function copySelfMeta(from: object, to: object): void {
  const loc = metaTable.get(from)?.self;
  if (loc !== undefined) metaOf(to).self = loc;
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
  const tags = metaTable.get(value)?.tags;
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
  const src = metaTable.get(value);
  if (src !== undefined) {
    const m = new NodeMeta();
    m.self = src.self;
    m.dollarFree = src.dollarFree;
    if (src.keys !== undefined) m.keys = new Map(src.keys);
    if (src.values !== undefined) m.values = new Map(src.values);
    if (src.tags !== undefined) m.tags = new Map(src.tags);
    attachMeta(out, m);
  }
  return out as T;
}
