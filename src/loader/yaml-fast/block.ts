import type { RawMap, RawValue } from '../raw.js';
import { isRawMap } from '../raw.js';
import { putEntry, startMeta } from '../raw-meta.js';
import { readBlockScalar } from './block-scalar.js';
import { addEntry, applyMerges, defineAnchor, mergeSources, plainKey, readAlias, readAliasTarget, readProps } from './entries.js';
import { flowCollection } from './flow.js';
import { continuationOk, modeOctal, plainStarts, readQuoted, resolvePlain, scanPlainLine } from './scalars.js';
import type { St } from './state.js';
import {
  atBreak,
  bail,
  COLON,
  DASH,
  DQUOTE,
  finishLine,
  HASH,
  isBlankOrEnd,
  LBRACE,
  LBRACK,
  nextLine,
  skipInline,
  SQUOTE,
} from './state.js';

function atSeqDash(st: St): boolean {
  return st.code(st.pos) === DASH && isBlankOrEnd(st.code(st.pos + 1));
}

function columnOf(st: St, offset: number): number {
  return st.columnAt(offset);
}

/** Whether a quoted scalar from `start` to `pos` stayed on one line (implicit keys must). */
function oneLine(st: St, start: number): boolean {
  const nl = st.src.indexOf('\n', start);
  return nl === -1 || nl >= st.pos;
}

/**
 * A block node after `key:` or `- ` (`pos` just after the indicator); `n` is the
 * indentation of the collection that holds it. Leaves `pos` on the next content line.
 */
export function blockNode(st: St, n: number, inSeq: boolean, key: string | undefined): RawValue {
  skipInline(st);
  readProps(st);
  const anchor = st.propAnchor;
  const tag = st.propTag;
  const before = st.visits;
  if (anchor !== undefined) st.pending.add(anchor);
  let value = blockContent(st, n, inSeq, anchor !== undefined || tag !== undefined, tag !== undefined);
  if (anchor !== undefined) defineAnchor(st, anchor, value, before);
  const octal = modeOctal(key, st.plain);
  if (octal !== undefined) value = octal;
  st.tag = tag;
  return value;
}

/** `ownLine`: the node starts on a line of its own (after `key:` or `-` and a line break). */
function blockContent(st: St, n: number, inSeq: boolean, hasProps: boolean, tagged: boolean, ownLine = false): RawValue {
  const start = st.pos;
  const c = st.code(start);
  st.plain = undefined;
  if (c === HASH || atBreak(st, start)) {
    if (c === HASH && !isBlankOrEnd(st.code(start - 1))) bail('comment not separated by space');
    finishLine(st);
    const m = st.indent;
    if (m > n || (m === n && !inSeq && atSeqDash(st))) {
      if (atSeqDash(st)) return blockSeq(st, m);
      return blockContent(st, n, inSeq, hasProps, tagged, true);
    }
    st.countVisit(1);
    st.at = start;
    st.plain = '';
    return tagged ? '' : null;
  }
  switch (c) {
    case 0x7c:
    case 0x3e: {
      if (ownLine) bail('block scalar on its own line');
      st.countVisit(1);
      st.at = start;
      return readBlockScalar(st, n, !inSeq);
    }
    case LBRACK:
    case LBRACE: {
      const v = flowCollection(st, n);
      skipInline(st);
      if (st.code(st.pos) === COLON) bail('flow collection as key');
      finishLine(st);
      return v;
    }
    case DQUOTE:
    case SQUOTE: {
      const s = readQuoted(st, n);
      skipInline(st);
      if (st.code(st.pos) === COLON) {
        if (!oneLine(st, start) || (!ownLine && (!inSeq || hasProps))) bail('implicit key here');
        st.pos = start;
        return blockMap(st, columnOf(st, start));
      }
      st.countVisit(1);
      st.at = start;
      finishLine(st);
      return s;
    }
    case 0x2a: {
      if (hasProps) bail('properties on an alias');
      const v = readAlias(st);
      finishLine(st);
      return v;
    }
    default:
      break;
  }
  if (atSeqDash(st)) {
    if (!inSeq || hasProps) bail('sequence on the same line');
    return blockSeq(st, columnOf(st, start));
  }
  if (!plainStarts(st, false)) bail('plain scalar start');
  const end = scanPlainLine(st, false);
  skipInline(st);
  if (st.code(st.pos) === COLON) {
    if (!ownLine && (!inSeq || hasProps)) bail('implicit key here');
    st.pos = start;
    return blockMap(st, columnOf(st, start));
  }
  let text = st.src.slice(start, end);
  st.countVisit(1);
  st.at = start;
  if (st.code(st.pos) === HASH) finishLine(st);
  else {
    nextLine(st);
    while (continuationOk(st, n)) {
      const lineStart = st.pos;
      const e = scanPlainLine(st, false);
      skipInline(st);
      if (st.code(st.pos) === COLON) bail('key in plain continuation');
      text += (st.blankLines === 0 ? ' ' : '\n'.repeat(st.blankLines)) + st.src.slice(lineStart, e);
      if (st.code(st.pos) === HASH) {
        finishLine(st);
        break;
      }
      nextLine(st);
    }
  }
  st.plain = text;
  return tagged ? text : resolvePlain(text);
}

/** A block mapping whose first key is at `pos`, in column `m` (0-based). */
export function blockMap(st: St, m: number): RawMap {
  const out: RawMap = {};
  const selfAt = st.pos;
  const opaqueBefore = st.opaque;
  const meta = startMeta(out, selfAt, st.lines);
  st.countVisit(1);
  let merges: RawMap[] | undefined;
  let shared: Set<RawMap> | undefined;
  for (;;) {
    const kStart = st.pos;
    const c = st.code(kStart);
    let k: string;
    let isMerge = false;
    if (c === DQUOTE || c === SQUOTE) {
      k = readQuoted(st, m);
      if (!oneLine(st, kStart)) bail('multi-line key');
    } else {
      if (!plainStarts(st, false)) bail('not a mapping key');
      const e = scanPlainLine(st, false);
      k = plainKey(st.src.slice(kStart, e));
      isMerge = k === '<<';
    }
    skipInline(st);
    if (st.code(st.pos) !== COLON || !isBlankOrEnd(st.code(st.pos + 1))) bail('expected a mapping key');
    if (st.pos - kStart > 1000) bail('long implicit key');
    st.pos++;
    if (isMerge) {
      skipInline(st);
      if (st.code(st.pos) === 0x2a) {
        // `<<: *name`: only the entries are copied, not the anchored mapping around them.
        const target = readAliasTarget(st);
        finishLine(st);
        mergeSources(target, (merges ??= []));
        if (isRawMap(target)) (shared ??= new Set()).add(target);
      } else mergeSources(blockNode(st, m, false, undefined), (merges ??= []));
    } else addEntry(out, meta, k, blockNode(st, m, false, k), st.at, kStart, st.tag);
    if (st.indent === m) {
      if (atSeqDash(st)) bail('sequence entry in a mapping');
      continue;
    }
    if (st.indent > m) bail('bad indentation');
    break;
  }
  if (merges !== undefined) applyMerges(out, merges, shared);
  st.markDollarFree(meta, selfAt, opaqueBefore);
  st.at = selfAt;
  st.plain = undefined;
  return out;
}

/** A block sequence whose first `-` is at `pos`, in column `m`. */
export function blockSeq(st: St, m: number): RawValue[] {
  const out: RawValue[] = [];
  const selfAt = st.pos;
  const opaqueBefore = st.opaque;
  const meta = startMeta(out, selfAt, st.lines);
  st.countVisit(1);
  for (let i = 0; ; i++) {
    st.pos++;
    const v = blockNode(st, m, true, undefined);
    out.push(v);
    putEntry(meta, i, st.at, undefined, st.tag);
    if (st.indent === m && atSeqDash(st)) continue;
    if (st.indent > m) bail('bad indentation');
    break;
  }
  st.markDollarFree(meta, selfAt, opaqueBefore);
  st.at = selfAt;
  st.plain = undefined;
  return out;
}
