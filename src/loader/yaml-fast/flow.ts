import type { RawMap, RawValue } from '../raw.js';
import { putEntry, startMeta } from '../raw-meta.js';
import { addEntry, applyMerges, defineAnchor, mergeSources, plainKey, readAlias, readProps } from './entries.js';
import { modeOctal, plainStarts, readQuoted, resolvePlain, scanPlainLine } from './scalars.js';
import type { St } from './state.js';
import {
  atBreak,
  bail,
  COLON,
  COMMA,
  CR,
  DQUOTE,
  HASH,
  isBlankOrEnd,
  isDocMarker,
  isFlowIndicator,
  LBRACE,
  LBRACK,
  LF,
  RBRACE,
  RBRACK,
  SPACE,
  SQUOTE,
  TAB,
} from './state.js';

/**
 * Skips blanks, comments and line breaks inside a flow collection. Lines inside it must
 * be indented more than `n`, the indentation of the block collection around it.
 */
function skipFlowSpace(st: St, n: number): void {
  const src = st.src;
  for (;;) {
    const c = src.charCodeAt(st.pos);
    if (c === SPACE) {
      st.pos++;
    } else if (c === HASH) {
      if (!isBlankOrEnd(src.charCodeAt(st.pos - 1))) bail('comment not separated by space');
      const nl = src.indexOf('\n', st.pos);
      st.pos = nl === -1 ? st.len : nl;
    } else if (c === LF || c === CR) {
      atBreak(st, st.pos);
      st.pos += c === CR ? 2 : 1;
      const lineStart = st.pos;
      let d = src.charCodeAt(st.pos);
      while (d === SPACE) d = src.charCodeAt(++st.pos);
      if (d === TAB) bail('tab in flow indentation');
      if (d !== LF && d !== CR && d !== HASH && d === d) {
        if (st.pos === lineStart && isDocMarker(st, lineStart)) bail('document marker in flow');
        // The outermost closing bracket may sit at the indentation of the block collection around it.
        const closing = (d === RBRACK || d === RBRACE) && st.flowDepth === 1;
        if (st.pos - lineStart < n || (st.pos - lineStart === n && !closing)) bail('flow line not indented');
      }
    } else if (c === TAB) {
      bail('tab in flow collection');
    } else if (c !== c) {
      bail('unterminated flow collection');
    } else return;
  }
}

/** A `[...]` or `{...}` collection starting at `pos`; leaves `pos` after its closing bracket. */
export function flowCollection(st: St, n: number): RawValue {
  st.flowDepth++;
  const v = st.code(st.pos) === LBRACK ? flowSeq(st, n) : flowMap(st, n);
  st.flowDepth--;
  return v;
}

function flowSeq(st: St, n: number): RawValue[] {
  const out: RawValue[] = [];
  const selfAt = st.pos;
  const opaqueBefore = st.opaque;
  const meta = startMeta(out, selfAt, st.lines);
  st.countVisit(1);
  st.pos++;
  for (let i = 0; ; i++) {
    skipFlowSpace(st, n);
    if (st.code(st.pos) === RBRACK) break;
    out.push(flowNode(st, n, undefined));
    putEntry(meta, i, st.at, undefined, st.tag);
    skipFlowSpace(st, n);
    const c = st.code(st.pos);
    if (c === COMMA) st.pos++;
    else if (c === RBRACK) break;
    else bail('expected , or ]');
  }
  st.pos++;
  st.markDollarFree(meta, selfAt, opaqueBefore);
  st.at = selfAt;
  st.plain = undefined;
  st.tag = undefined;
  return out;
}

function flowMap(st: St, n: number): RawMap {
  const out: RawMap = {};
  const selfAt = st.pos;
  const opaqueBefore = st.opaque;
  const meta = startMeta(out, selfAt, st.lines);
  st.countVisit(1);
  st.pos++;
  let merges: RawMap[] | undefined;
  for (;;) {
    skipFlowSpace(st, n);
    const kStart = st.pos;
    const c = st.code(kStart);
    if (c === RBRACE) break;
    let k: string;
    let quoted = false;
    if (c === DQUOTE || c === SQUOTE) {
      k = readQuoted(st, n);
      quoted = true;
      const nl = st.src.indexOf('\n', kStart);
      if (nl !== -1 && nl < st.pos) bail('multi-line key');
    } else {
      if (!plainStarts(st, true)) bail('flow key');
      const e = scanPlainLine(st, true);
      k = plainKey(st.src.slice(kStart, e));
    }
    const isMerge = k === '<<' && !quoted;
    while (st.code(st.pos) === SPACE) st.pos++;
    let v: RawValue;
    const d = st.code(st.pos);
    if (d === COLON) {
      st.pos++;
      while (st.code(st.pos) === SPACE) st.pos++;
      const after = st.pos;
      skipFlowSpace(st, n);
      const e = st.code(st.pos);
      if (e === COMMA || e === RBRACE) {
        st.countVisit(1);
        v = null;
        st.at = after;
        st.tag = undefined;
      } else v = flowNode(st, n, isMerge ? undefined : k);
    } else if (d === COMMA || d === RBRACE) {
      st.countVisit(1);
      v = null;
      st.at = kStart;
      st.tag = undefined;
    } else bail('expected : in flow mapping');
    if (isMerge) mergeSources(v, (merges ??= []));
    else addEntry(out, meta, k, v, st.at, kStart, st.tag);
    skipFlowSpace(st, n);
    const f = st.code(st.pos);
    if (f === COMMA) st.pos++;
    else if (f === RBRACE) break;
    else bail('expected , or }');
  }
  st.pos++;
  if (merges !== undefined) applyMerges(out, merges);
  st.markDollarFree(meta, selfAt, opaqueBefore);
  st.at = selfAt;
  st.plain = undefined;
  st.tag = undefined;
  return out;
}

/** One node inside a flow collection; reports its location and tag through `st`. */
function flowNode(st: St, n: number, key: string | undefined): RawValue {
  readProps(st);
  const anchor = st.propAnchor;
  const tag = st.propTag;
  const before = st.visits;
  if (anchor !== undefined) st.pending.add(anchor);
  const start = st.pos;
  const c = st.code(start);
  let value: RawValue;
  st.plain = undefined;
  if (c === LBRACK || c === LBRACE) value = flowCollection(st, n);
  else if (c === 0x2a) {
    if (anchor !== undefined || tag !== undefined) bail('properties on an alias');
    value = readAlias(st);
  } else if (c === DQUOTE || c === SQUOTE) {
    st.countVisit(1);
    value = readQuoted(st, n);
    st.at = start;
  } else {
    if (!plainStarts(st, true)) bail('flow scalar start');
    const end = scanPlainLine(st, true);
    const text = st.src.slice(start, end);
    // A plain scalar that goes on over a line break is not supported here.
    const save = st.pos;
    skipFlowSpace(st, n);
    const d = st.code(st.pos);
    if (st.pos !== save && d !== COMMA && !isFlowIndicator(d) && d !== HASH) bail('multi-line flow scalar');
    st.pos = save;
    st.countVisit(1);
    st.at = start;
    st.plain = text;
    value = tag !== undefined ? text : resolvePlain(text);
  }
  if (anchor !== undefined) defineAnchor(st, anchor, value, before);
  const octal = modeOctal(key, st.plain);
  if (octal !== undefined) value = octal;
  st.tag = tag;
  return value;
}
