import type { EntryMeta } from '../raw-meta.js';
import { LineTable } from '../raw-meta.js';
import type { MergeTag, RawValue } from '../raw.js';

/**
 * Thrown (one shared instance, so no stack is captured) whenever the fast reader meets
 * anything it does not fully support; the caller then falls back to the `yaml` package,
 * which gives the exact result or the exact error message.
 */
class Bail extends Error {}
const BAIL = new Bail('yaml-fast: unsupported input');
let reason = '';

export function bail(why: string): never {
  reason = why;
  throw BAIL;
}

export function isBail(err: unknown): boolean {
  return err === BAIL;
}

/** Why the last call bailed out (for tests and debugging). */
export function lastBailReason(): string {
  return reason;
}

/** Slightly below the slow path's alias-bomb limit so that it reports those itself. */
export const MAX_VISITS = 90_000;

export interface Anchor {
  readonly value: RawValue;
  /** Source text when the anchored node is a plain scalar (the `mode` octal rule uses it). */
  readonly plain: string | undefined;
  /** Nodes the slow path visits when it expands an alias to this anchor. */
  readonly size: number;
}

export const SPACE = 0x20;
export const TAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const HASH = 0x23;
export const COLON = 0x3a;
export const DASH = 0x2d;
export const COMMA = 0x2c;
export const LBRACK = 0x5b;
export const RBRACK = 0x5d;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const SQUOTE = 0x27;
export const DQUOTE = 0x22;

/** Space, tab, line break or end of input (`NaN` from charCodeAt past the end). */
export function isBlankOrEnd(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR || c !== c;
}

export function isFlowIndicator(c: number): boolean {
  return c === COMMA || c === LBRACK || c === RBRACK || c === LBRACE || c === RBRACE;
}

/** Parser state; the last parsed node reports its position and tag through `at`/`tag`/`plain`/`size`. */
export class St {
  pos = 0;
  readonly len: number;
  /** Indentation of the line `pos` is on after `nextLine`; -1 at end of input or a document marker. */
  indent = -1;
  /** Whether the last `nextLine` skipped a comment line / how many blank lines it skipped. */
  sawComment = false;
  blankLines = 0;
  visits = 0;
  /** Nesting depth of flow collections at `pos`. */
  flowDepth = 0;
  anchors = new Map<string, Anchor>();
  readonly pending = new Set<string>();
  /** Offset where the last parsed node starts (positions are kept as offsets into `lines`). */
  at = 0;
  readonly lines: LineTable;
  tag: MergeTag | undefined = undefined;
  plain: string | undefined = undefined;
  size = 0;
  /**
   * Counts values whose text is not spelled out where they stand (alias expansions, escapes
   * that make a `$`), so that a container can tell whether its source text says it all.
   */
  opaque = 0;
  /** Properties read by the last `readProps`. */
  propAnchor: string | undefined = undefined;
  propTag: MergeTag | undefined = undefined;
  private readonly starts: number[] = [0];
  private lastLine = 0;

  constructor(
    readonly src: string,
    readonly file: string,
  ) {
    this.len = src.length;
    for (let i = src.indexOf('\n'); i !== -1; i = src.indexOf('\n', i + 1)) this.starts.push(i + 1);
    // A CR that is not part of CRLF is a line break to some readers and not to others.
    for (let i = src.indexOf('\r'); i !== -1; i = src.indexOf('\r', i + 1)) if (src.charCodeAt(i + 1) !== LF) bail('lone CR');
    this.lines = new LineTable(file, this.starts);
  }

  code(i: number): number {
    return this.src.charCodeAt(i);
  }

  /** 0-based column of `offset`, without building a location. */
  columnAt(offset: number): number {
    return offset - this.starts[this.lineIndex(offset)]!;
  }

  private lineIndex(offset: number): number {
    const s = this.starts;
    let i = this.lastLine;
    if (offset < s[i]!) i = 0;
    while (i + 1 < s.length && s[i + 1]! <= offset) i++;
    this.lastLine = i;
    return i;
  }

  /**
   * Marks a container that spans `from`…`pos` as free of `$` when neither its text nor any
   * opaque value inside (counted from `opaqueBefore`) can hold one.
   */
  markDollarFree(meta: EntryMeta, from: number, opaqueBefore: number): void {
    if (this.opaque !== opaqueBefore) return;
    const d = this.src.indexOf('$', from);
    if (d === -1 || d >= this.pos) meta.dollarFree = true;
  }

  countVisit(n: number): void {
    this.visits += n;
    if (this.visits > MAX_VISITS) bail('too many nodes');
  }
}

/** Skips spaces and tabs on the current line. */
export function skipInline(st: St): void {
  const src = st.src;
  let p = st.pos;
  let c = src.charCodeAt(p);
  while (c === SPACE || c === TAB) c = src.charCodeAt(++p);
  st.pos = p;
}

/** At a line break (CRLF or LF) or end of input? Lone CR is not supported. */
export function atBreak(st: St, i: number): boolean {
  const c = st.code(i);
  if (c === LF || c !== c) return true;
  if (c === CR) {
    if (st.code(i + 1) !== LF) bail('lone CR');
    return true;
  }
  return false;
}

/**
 * After a node's last character: skips spaces and an optional comment up to the line
 * break, then moves to the next line with content (see `nextLine`). Bails if anything
 * else follows on the line.
 */
export function finishLine(st: St): void {
  skipInline(st);
  if (st.code(st.pos) === HASH) {
    if (!isBlankOrEnd(st.code(st.pos - 1))) bail('comment not separated by space');
    const nl = st.src.indexOf('\n', st.pos);
    st.pos = nl === -1 ? st.len : nl;
  } else if (!atBreak(st, st.pos)) bail('trailing content');
  nextLine(st);
}

/**
 * From a line break (or end of input), moves `pos` to the first character of the next
 * line that has content and sets `indent`; blank and comment-only lines are skipped and
 * counted. Document markers and the end of input give `indent = -1`.
 */
export function nextLine(st: St): void {
  const src = st.src;
  st.sawComment = false;
  st.blankLines = 0;
  let p = st.pos;
  for (;;) {
    if (p >= st.len) {
      st.pos = st.len;
      st.indent = -1;
      return;
    }
    // p is at a line break: step over it.
    p = src.charCodeAt(p) === CR ? p + 2 : p + 1;
    const lineStart = p;
    let c = src.charCodeAt(p);
    while (c === SPACE) c = src.charCodeAt(++p);
    if (c === TAB) bail('tab in indentation');
    if (c === HASH) {
      st.sawComment = true;
      const nl = src.indexOf('\n', p);
      p = nl === -1 ? st.len : nl;
      continue;
    }
    if (c === LF || c !== c) {
      if (c === LF) st.blankLines++;
      continue;
    }
    if (c === CR) {
      if (src.charCodeAt(p + 1) !== LF) bail('lone CR');
      st.blankLines++;
      continue;
    }
    st.pos = p;
    if (p === lineStart && isDocMarker(st, p)) {
      st.indent = -1;
      return;
    }
    st.indent = p - lineStart;
    return;
  }
}

export function isDocMarker(st: St, p: number): boolean {
  const c = st.code(p);
  if (c !== DASH && c !== 0x2e) return false;
  return st.code(p + 1) === c && st.code(p + 2) === c && isBlankOrEnd(st.code(p + 3));
}
