import type { St } from './state.js';
import { atBreak, bail, CR, HASH, isBlankOrEnd, isDocMarker, LF, nextLine, skipInline, SPACE, TAB } from './state.js';

/**
 * Reads a `|` / `>` block scalar whose header starts at `pos`; `n` is the indentation of
 * the collection that holds it. Folding and chomping follow the `yaml` package's resolver.
 * Leaves `pos` on the next line with content (like `nextLine`).
 */
export function readBlockScalar(st: St, n: number, explicitOk: boolean): string {
  const src = st.src;
  const folded = st.code(st.pos) === 0x3e;
  let p = st.pos + 1;
  let chomp = '';
  let explicit = 0;
  for (let k = 0; k < 2; k++) {
    const c = src.charCodeAt(p);
    if ((c === 0x2d || c === 0x2b) && chomp === '') chomp = c === 0x2d ? '-' : '+';
    else if (c >= 0x31 && c <= 0x39 && explicit === 0) explicit = c - 0x30;
    else break;
    p++;
  }
  st.pos = p;
  skipInline(st);
  if (st.code(st.pos) === HASH) {
    if (!isBlankOrEnd(st.code(st.pos - 1))) bail('comment not separated by space');
    const nl = src.indexOf('\n', st.pos);
    st.pos = nl === -1 ? st.len : nl;
  }
  if (!atBreak(st, st.pos)) bail('block scalar header');
  if (explicit !== 0 && (!explicitOk || n < 0)) bail('explicit indentation here');

  // Lines of the scalar: [indent, content start, content end].
  const indents: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let trim = explicit !== 0 ? n + explicit : -1;
  let lastBreak = st.pos; // the line break that ends the last line belonging to the scalar
  let q = st.pos;
  while (q < st.len) {
    q += src.charCodeAt(q) === CR ? 2 : 1;
    if (q > st.len) break;
    const lineStart = q;
    let c = src.charCodeAt(q);
    while (c === SPACE) c = src.charCodeAt(++q);
    let eol = src.indexOf('\n', q);
    if (eol === -1) eol = st.len;
    let end = eol;
    if (end > q && src.charCodeAt(end - 1) === CR) end--;
    const indent = q - lineStart;
    const empty = end === q;
    if (empty && eol === st.len && q === st.len && indent === 0) break; // after the final newline
    if (!empty) {
      if (trim === -1) {
        if (indent <= n) break;
        trim = indent;
      }
      if (indent < trim) break;
      if (indent === 0 && isDocMarker(st, lineStart)) break;
      for (let i = q; i < end; i++) {
        const ch = src.charCodeAt(i);
        if ((ch < 0x20 && ch !== TAB) || ch === 0x7f || ch === 0xfeff) bail('control character');
      }
    }
    indents.push(indent);
    starts.push(q);
    ends.push(end);
    lastBreak = eol;
    q = eol;
  }
  // The library's line list ends with an empty line after a final line break.
  if (lastBreak < st.len) {
    indents.push(0);
    starts.push(lastBreak);
    ends.push(lastBreak);
  }
  st.pos = lastBreak;
  const value = assemble(src, folded, chomp, explicit, trim, indents, starts, ends);
  nextLine(st);
  return value;
}

function assemble(
  src: string,
  folded: boolean,
  chomp: string,
  explicit: number,
  trimIn: number,
  indents: number[],
  starts: number[],
  ends: number[],
): string {
  const count = indents.length;
  let chompStart = count;
  for (let i = count - 1; i >= 0; --i) {
    if (starts[i] === ends[i]) chompStart = i;
    else break;
  }
  if (chompStart === 0) return chomp === '+' && count > 0 ? '\n'.repeat(Math.max(1, count - 1)) : '';
  const trim = trimIn;
  let contentStart = 0;
  for (let i = 0; i < chompStart; ++i) {
    if (starts[i] === ends[i]) {
      if (explicit === 0 && indents[i]! > trim) bail('more-indented leading empty line');
    } else {
      contentStart = i;
      break;
    }
  }
  for (let i = count - 1; i >= chompStart; --i) if (indents[i]! > trim) chompStart = i + 1;
  const pad = (i: number): string => ' '.repeat(Math.max(0, indents[i]! - trim));
  let value = '';
  let sep = '';
  let prevMore = false;
  for (let i = 0; i < contentStart; ++i) value += pad(i) + '\n';
  for (let i = contentStart; i < chompStart; ++i) {
    const content = src.slice(starts[i], ends[i]);
    if (!folded) {
      value += sep + pad(i) + content;
      sep = '\n';
    } else if (indents[i]! > trim || content.charCodeAt(0) === TAB) {
      if (sep === ' ') sep = '\n';
      else if (!prevMore && sep === '\n') sep = '\n\n';
      value += sep + pad(i) + content;
      sep = '\n';
      prevMore = true;
    } else if (content === '') {
      if (sep === '\n') value += '\n';
      else sep = '\n';
    } else {
      value += sep + content;
      sep = ' ';
      prevMore = false;
    }
  }
  if (chomp === '+') {
    for (let i = chompStart; i < count; ++i) value += '\n' + pad(i);
    if (value.charCodeAt(value.length - 1) !== LF) value += '\n';
  } else if (chomp === '') value += '\n';
  return value;
}
