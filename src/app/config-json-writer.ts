/**
 * Writes data through a layout as `JSON.stringify(copy, null, 2)` would write the reordered
 * copy the layout describes (see canonicalProject): `config --format json` prints the
 * project without building that copy first. Like the copy, it has no undefined values (a
 * key the layout keeps prints null) and no toJSON methods.
 */

import type { Layout } from './config-layout.js';
import { TextBuffer } from './config-text-buffer.js';

type Obj = Record<string, unknown>;

/** Printable ASCII but `"` and `\`: JSON.stringify only adds the quotes. */
const SAFE = /^[ !#-[\]-~]*$/;

/** Line starts by depth: a newline and the indent, after a comma or not. */
const FIRST_LINE: string[] = [];
const NEXT_LINE: string[] = [];

function lineStart(cache: string[], depth: number, comma: boolean): string {
  let s = cache[depth];
  if (s === undefined) {
    s = (comma ? ',\n' : '\n') + '  '.repeat(depth);
    cache[depth] = s;
  }
  return s;
}

function quoted(s: string): string {
  return SAFE.test(s) ? `"${s}"` : JSON.stringify(s);
}

/** One document being written; keys, repeated across maps, are rendered once. */
class JsonOut {
  readonly text = new TextBuffer();
  private readonly keyTexts = new Map<string, string>();

  /** `"key": ` */
  key(k: string): string {
    let s = this.keyTexts.get(k);
    if (s === undefined) {
      s = quoted(k) + ': ';
      this.keyTexts.set(k, s);
    }
    return s;
  }

  value(v: unknown, layout: Layout, depth: number): void {
    const text = this.text;
    if (typeof v === 'string') {
      if (SAFE.test(v)) {
        text.add('"');
        text.add(v);
        text.add('"');
      } else text.add(JSON.stringify(v));
    } else if (typeof v === 'number') text.add(Number.isFinite(v) ? String(v) : 'null');
    else if (typeof v === 'boolean') text.add(v ? 'true' : 'false');
    else if (v === null || typeof v !== 'object') text.add('null');
    else {
      const seq = Array.isArray(v) ? v : layout.convert !== undefined ? layout.convert(v as Obj) : undefined;
      if (seq !== undefined) this.seq(seq, layout.item, depth);
      else this.map(v as Obj, layout, depth);
    }
  }

  private seq(seq: readonly unknown[], itemLayout: Layout, depth: number): void {
    const text = this.text;
    if (seq.length === 0) {
      text.add('[]');
      return;
    }
    text.add('[');
    for (let i = 0; i < seq.length; i++) {
      text.add(i === 0 ? lineStart(FIRST_LINE, depth + 1, false) : lineStart(NEXT_LINE, depth + 1, true));
      this.value(seq[i], itemLayout, depth + 1);
    }
    text.add(lineStart(FIRST_LINE, depth, false));
    text.add(']');
  }

  private map(map: Obj, layout: Layout, depth: number): void {
    const text = this.text;
    const keys = layout.keys(map);
    if (keys.length === 0) {
      text.add('{}');
      return;
    }
    text.add('{');
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      text.add(i === 0 ? lineStart(FIRST_LINE, depth + 1, false) : lineStart(NEXT_LINE, depth + 1, true));
      text.add(this.key(k));
      this.value(map[k], layout.child(k), depth + 1);
    }
    text.add(lineStart(FIRST_LINE, depth, false));
    text.add('}');
  }
}

/** The JSON text of `value` laid out by `layout`, two-space indents, ending in a newline. */
export function toJson(value: unknown, layout: Layout): string {
  const out = new JsonOut();
  out.value(value, layout, 0);
  out.text.add('\n');
  return out.text.toString();
}
