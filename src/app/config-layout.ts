type Obj = Record<string, unknown>;

/**
 * How a writer (YAML or JSON) orders a map's keys and shows its values. The canonical form
 * of `config` is one such layout: the writers walk the project through it rather than
 * through a reordered copy.
 */
export interface Layout {
  /** The keys of `map` to write, in order; an empty list writes an empty map. */
  keys(map: Obj): string[];
  /** The layout of the value under `key`. */
  child(key: string): Layout;
  /** The layout of a sequence's items. */
  readonly item: Layout;
  /** When set, a map in this place is written as the sequence this returns. */
  readonly convert: ((map: Obj) => unknown[]) | undefined;
}

/** Data as it is: keys in object order. */
class AsIs implements Layout {
  readonly item: Layout = this;
  readonly convert = undefined;
  keys(map: Obj): string[] {
    return Object.keys(map);
  }
  child(): Layout {
    return this;
  }
}

export const AS_IS: Layout = new AsIs();
