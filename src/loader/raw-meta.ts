import type { SourceLocation } from '../errors/diagnostic.js';
import type { MergeTag } from './raw.js';

// How raw.ts keeps positions and tags on containers. The YAML reader fills them with
// `startMeta` / `putEntry`; everything else goes through raw.ts's functions.

/**
 * Line starts of one source text, so that a reader can record a position as its offset in
 * the text (a small integer, no allocation) and the location is only built when asked for.
 */
export class LineTable {
  constructor(
    readonly file: string,
    /** Offset of the first character of each line; `starts[0]` is 0. */
    readonly starts: readonly number[],
  ) {}

  /** 1-based line and UTF-16 column of `offset`, like the `yaml` package's LineCounter. */
  locAt(offset: number): SourceLocation {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, col: offset - s[lo]! + 1 };
  }
}

/** A position: a location, or an offset into the container's `NodeMeta.lines`. */
export type Pos = SourceLocation | number;

/** Slots per entry in `NodeMeta.slots`: the key, its value's position, its key's position. */
export const STRIDE = 3;
/** Entries beyond which lookups go through an index instead of a scan. */
export const SCAN_LIMIT = 16;
export type Slot = string | number | Pos | undefined;

/** One shape for every container's metadata, so that reading it stays monomorphic. */
export class NodeMeta {
  /** Position of the container node itself. */
  self: Pos | undefined = undefined;
  /** The text that offsets in `self` and `slots` refer to; set whenever one is there. */
  lines: LineTable | undefined = undefined;
  /**
   * Where each entry's value and key (string keys only) are, `STRIDE` slots per entry, in the
   * order entries were first given a position. Most containers hold one to three entries: a
   * flat array costs a fraction of two hash maps to build, copy and collect. An entry whose
   * locations are both cleared counts as absent.
   */
  slots: Slot[] | undefined = undefined;
  /** Slot of each key, built on first lookup once a container is past `SCAN_LIMIT` entries. */
  index: Map<string | number, number> | undefined = undefined;
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

/** One descriptor for every attach: defining the property then allocates nothing else. */
const descriptor: PropertyDescriptor = { value: undefined, enumerable: false, writable: false, configurable: true };

/** Reads and sets the metadata of a container. */
export const metaStore = {
  get(target: object): NodeMeta | undefined {
    return (target as WithMeta)[META];
  },

  attach(target: object, m: NodeMeta): NodeMeta {
    descriptor.value = m;
    Object.defineProperty(target, META, descriptor);
    descriptor.value = undefined;
    return m;
  },
};

/** The location a position stands for. */
export function locOf(m: NodeMeta, p: Pos | undefined): SourceLocation | undefined {
  return typeof p === 'number' ? m.lines!.locAt(p) : p;
}

/** A position of `from` as `to` can hold it: offsets only stay offsets within the same text. */
export function carry(from: NodeMeta, p: Pos | undefined, to: NodeMeta): Pos | undefined {
  if (typeof p !== 'number') return p;
  if (to.lines === undefined) to.lines = from.lines;
  return to.lines === from.lines ? p : from.lines!.locAt(p);
}

export function metaOf(container: object): NodeMeta {
  return metaStore.get(container) ?? metaStore.attach(container, new NodeMeta());
}

/** Slot of `key` in `m.slots`, or -1. */
export function findSlot(m: NodeMeta, key: string | number): number {
  const s = m.slots;
  if (s === undefined) return -1;
  if (s.length <= SCAN_LIMIT * STRIDE) {
    for (let i = 0; i < s.length; i += STRIDE) if (s[i] === key) return i;
    return -1;
  }
  let ix = m.index;
  if (ix === undefined) {
    ix = new Map();
    for (let i = 0; i < s.length; i += STRIDE) ix.set(s[i] as string | number, i);
    m.index = ix;
  }
  return ix.get(key) ?? -1;
}

/** Slot of `key`, added (with no locations yet) when missing. */
export function slotFor(m: NodeMeta, key: string | number): number {
  const i = findSlot(m, key);
  if (i !== -1) return i;
  const s = m.slots;
  if (s === undefined) {
    m.slots = [key, undefined, undefined];
    return 0;
  }
  const at = s.length;
  s.push(key, undefined, undefined);
  m.index?.set(key, at);
  return at;
}

/** The metadata of a container being filled by a reader, kept at hand so each entry costs no lookup. */
export type EntryMeta = NodeMeta;

/** Starts the metadata of a new, still empty container at offset `selfAt` of `lines`. */
export function startMeta(container: object, selfAt: number, lines: LineTable): EntryMeta {
  const m = new NodeMeta();
  m.self = selfAt;
  m.lines = lines;
  return metaStore.attach(container, m);
}

/**
 * `setEntryLocation` and `setTag` for a container started with `startMeta`, with offsets in
 * its text, from a reader that gives each key (or index) once: the entry is appended without
 * a lookup.
 */
export function putEntry(m: EntryMeta, key: string | number, valueAt: number, keyAt: number | undefined, tag: MergeTag | undefined): void {
  const k = typeof key === 'string' ? keyAt : undefined;
  const s = m.slots;
  // The first entry makes an array of exactly one entry: most containers have no second.
  if (s === undefined) m.slots = [key, valueAt, k];
  else {
    m.index?.set(key, s.length);
    s.push(key, valueAt, k);
  }
  if (tag !== undefined) (m.tags ??= new Map()).set(key, tag);
}
