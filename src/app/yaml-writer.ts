/**
 * A small YAML writer for plain data (what `config` prints): block style, two-space
 * indents, sequences indented under their key, strings quoted only where a YAML 1.1 or 1.2
 * reader could take them for something else. Output of `config` must load back to the
 * same data in docker compose and in berth.
 *
 * `config` runs once per process, so this code mostly runs cold: it walks the data once
 * (through a layout, so that `config` needs no reordered copy of the project), writes into
 * one text buffer, and decides quoting with one regular expression for the common cases,
 * leaving the full rule set to unusual strings.
 */

import { AS_IS, type Layout } from './config-layout.js';
import { TextBuffer } from './config-text-buffer.js';

type Obj = Record<string, unknown>;

const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~|<<)$/i;
const NUMBER_LIKE = /^[-+]?(?:\.[0-9]|[0-9])[0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?$/;
const OTHER_NUMBERS = /^(?:[-+]?\.(?:inf|nan)|0x[0-9a-f_]+|0o[0-7_]+|0b[01_]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$/i;
const DATE_LIKE = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;
const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`]/;
// Tabs and other control characters, plus the characters YAML does not allow in a plain scalar.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

/** The full rules: may `s` be written as a plain scalar? */
function plainOkFull(s: string): boolean {
  if (s === '' || s.trim() !== s) return false;
  if (RESERVED.test(s) || NUMBER_LIKE.test(s) || OTHER_NUMBERS.test(s) || DATE_LIKE.test(s)) return false;
  if (NEEDS_ESCAPE.test(s)) return false;
  if (INDICATOR_START.test(s)) {
    // `-x`, `?x` and `:x` are plain scalars when the next character is not a space.
    if (!/^[-?:][^\s]/.test(s)) return false;
  }
  if (s.includes(': ') || s.includes(' #') || s.endsWith(':')) return false;
  if (s === '-' || s === '---' || s === '...') return false;
  return true;
}

/**
 * Printable ASCII that starts with a letter, `_` or `/` and has no `: `, ` #`, trailing `:`
 * or trailing space: plain unless a reserved word. Most keys and values are such strings.
 */
const SIMPLE = /^[A-Za-z_/](?:[!-9;-~]|:(?=[!-~])| (?=[^#]))*$/;
/** Digits then letters, not read as a number (`0x`, `0o`, `0b`, `1e`): durations and sizes. */
const UNIT = /^[0-9]+[ac-df-np-wyzAC-DF-NP-WYZ][A-Za-z]*$/;

/** Same answer as plainOkFull, quicker on the strings `config` prints most. */
function plainOk(s: string): boolean {
  if (SIMPLE.test(s)) return s.length > 5 || !RESERVED.test(s);
  return UNIT.test(s) || plainOkFull(s);
}

function quoted(s: string): string {
  // JSON string escapes are a subset of YAML double-quoted escapes.
  return JSON.stringify(s);
}

function blockOk(s: string): boolean {
  if (!s.includes('\n') || NEEDS_ESCAPE.test(s.replace(/\n/g, ''))) return false;
  const lines = s.replace(/\n+$/, '').split('\n');
  if (lines[0]!.startsWith(' ')) return false;
  return lines.every((l) => l === l.trimEnd());
}

function blockScalar(v: string, indent: string): string {
  const trailing = v.length - v.replace(/\n+$/, '').length;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const body = v.slice(0, v.length - trailing).split('\n');
  const extra = trailing > 1 ? '\n'.repeat(trailing - 1) : '';
  return `|${chomp}\n` + body.map((l) => (l === '' ? '' : indent + '  ' + l)).join('\n') + extra;
}

/** `depth` is the indent of the block a multi-line string's lines go under. */
function scalar(v: unknown, depth: number): string {
  if (typeof v === 'string') {
    if (plainOk(v)) return v;
    return blockOk(v) ? blockScalar(v, '  '.repeat(depth)) : quoted(v);
  }
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '.nan';
    if (!Number.isFinite(v)) return v > 0 ? '.inf' : '-.inf';
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  // null, and what JSON would print as null (undefined in a map kept by its layout).
  return 'null';
}

/** Line starts, cached by depth: a newline and the indent, with or without a sequence dash. */
const LINE: string[] = [];
const ITEM_LINE: string[] = [];

function lineStart(cache: string[], depth: number, dash: boolean): string {
  let s = cache[depth];
  if (s === undefined) {
    s = '\n' + '  '.repeat(depth) + (dash ? '- ' : '');
    cache[depth] = s;
  }
  return s;
}

/**
 * One document being written. Each line starts with its newline (the document's first line
 * with none), so a line costs few pieces; keys, repeated across maps, are rendered once.
 */
class YamlOut {
  readonly text = new TextBuffer();
  private readonly entryKeys = new Map<string, string>();
  private readonly parentKeys = new Map<string, string>();

  /** `key: `, for a key whose value follows on the same line. */
  entryKey(k: string): string {
    return rendered(this.entryKeys, k, ': ');
  }

  /** `key:`, for a key whose value starts on the next line. */
  parentKey(k: string): string {
    return rendered(this.parentKeys, k, ':');
  }
}

/** A key as written (quoted when needed) followed by `suffix`, made once per document. */
function rendered(cache: Map<string, string>, k: string, suffix: string): string {
  let s = cache.get(k);
  if (s === undefined) {
    s = (plainOk(k) ? k : quoted(k)) + suffix;
    cache.set(k, s);
  }
  return s;
}

/*
 * writeSeq and writeMap write the lines of a non-empty collection at `depth`. With
 * `inline`, the first line's start is left out: a collection inside a sequence starts right
 * after its dash, which the caller wrote, and so does the document.
 */

function writeSeq(seq: readonly unknown[], layout: Layout, depth: number, inline: boolean, out: YamlOut): void {
  const text = out.text;
  const itemLayout = layout.item;
  const line = lineStart(ITEM_LINE, depth, true);
  for (let i = 0; i < seq.length; i++) {
    text.add(i > 0 || !inline ? line : '- ');
    let v = seq[i];
    if (v !== null && typeof v === 'object') {
      if (itemLayout.convert !== undefined && !Array.isArray(v)) v = itemLayout.convert(v as Obj);
      if (Array.isArray(v)) {
        if (v.length === 0) text.add('[]');
        else writeSeq(v, itemLayout, depth + 1, true, out);
      } else {
        const keys = itemLayout.keys(v as Obj);
        if (keys.length === 0) text.add('{}');
        else writeMap(v as Obj, keys, itemLayout, depth + 1, true, out);
      }
    } else text.add(scalar(v, depth + 1));
  }
}

function writeMap(map: Obj, keys: readonly string[], layout: Layout, depth: number, inline: boolean, out: YamlOut): void {
  const text = out.text;
  const line = lineStart(LINE, depth, false);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (i > 0 || !inline) text.add(line);
    let v = map[k];
    if (v !== null && typeof v === 'object') {
      const childLayout = layout.child(k);
      if (childLayout.convert !== undefined && !Array.isArray(v)) v = childLayout.convert(v as Obj);
      if (Array.isArray(v)) {
        if (v.length === 0) {
          text.add(out.entryKey(k));
          text.add('[]');
        } else {
          text.add(out.parentKey(k));
          writeSeq(v, childLayout, depth + 1, false, out);
        }
      } else {
        const childKeys = childLayout.keys(v as Obj);
        if (childKeys.length === 0) {
          text.add(out.entryKey(k));
          text.add('{}');
        } else {
          text.add(out.parentKey(k));
          writeMap(v as Obj, childKeys, childLayout, depth + 1, false, out);
        }
      }
    } else {
      text.add(out.entryKey(k));
      text.add(scalar(v, depth));
    }
  }
}

/**
 * Serializes plain data (the output of JSON.parse) as a YAML document; `layout` orders and
 * converts maps on the way (the default keeps the data as it is).
 */
export function toYaml(value: unknown, layout: Layout = AS_IS): string {
  let v = value;
  if (v === null || typeof v !== 'object') return scalar(v, 0) + '\n';
  if (layout.convert !== undefined && !Array.isArray(v)) v = layout.convert(v as Obj);
  const out = new YamlOut();
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]\n';
    writeSeq(v, layout, 0, true, out);
  } else {
    const keys = layout.keys(v as Obj);
    if (keys.length === 0) return '{}\n';
    writeMap(v as Obj, keys, layout, 0, true, out);
  }
  out.text.add('\n');
  return out.text.toString();
}
