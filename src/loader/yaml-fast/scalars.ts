import type { RawScalar } from '../raw.js';
import type { St } from './state.js';
import {
  atBreak,
  bail,
  COLON,
  CR,
  DQUOTE,
  HASH,
  isBlankOrEnd,
  isDocMarker,
  isFlowIndicator,
  LF,
  SPACE,
  SQUOTE,
  TAB,
} from './state.js';

const INT = /^[-+]?[0-9]+$/;
const OCT = /^0o[0-7]+$/;
const HEX = /^0x[0-9a-fA-F]+$/;
const NAN_INF = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
const MODE_OCTAL = /^0[0-7]+$/;

/** YAML 1.2 core schema, tested in the same order as the `yaml` package does. */
export function resolvePlain(s: string): RawScalar {
  if (s.length === 0) return null;
  const c = s.charCodeAt(0);
  // Above `9` only the null and boolean words can match: every number form starts lower.
  if (c > 0x39) {
    if (c !== 0x4e && c !== 0x6e && c !== 0x54 && c !== 0x74 && c !== 0x46 && c !== 0x66 && c !== 0x7e) return s;
    if (s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return null;
    if (s === 'true' || s === 'True' || s === 'TRUE') return true;
    if (s === 'false' || s === 'False' || s === 'FALSE') return false;
    return s;
  }
  if (c < 0x30 && c !== 0x2b && c !== 0x2d && c !== 0x2e) return s; // nor paths (`/…`) and the like
  if (OCT.test(s)) return parseInt(s.substring(2), 8);
  if (INT.test(s)) return parseInt(s, 10);
  if (HEX.test(s)) return parseInt(s.substring(2), 16);
  if (NAN_INF.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return parseFloat(s);
  return s;
}

/** The `mode` key reads YAML 1.1 octals (`0440`), as Compose does. */
export function modeOctal(key: string | undefined, plain: string | undefined): number | undefined {
  if (key === 'mode' && plain !== undefined && MODE_OCTAL.test(plain)) return parseInt(plain, 8);
  return undefined;
}

/** Can a plain scalar start at `pos`? */
export function plainStarts(st: St, flow: boolean): boolean {
  const c = st.code(st.pos);
  switch (c) {
    case 0x2d: // - ? :
    case 0x3f:
    case COLON: {
      const d = st.code(st.pos + 1);
      return !isBlankOrEnd(d) && !(flow && isFlowIndicator(d));
    }
    case 0x2c: case 0x5b: case 0x5d: case 0x7b: case 0x7d: case HASH: case 0x26: case 0x2a: case 0x21:
    case 0x7c: case 0x3e: case SQUOTE: case DQUOTE: case 0x25: case 0x40: case 0x60:
      return false;
    default:
      return c === c && c !== SPACE && c !== TAB && c !== LF && c !== CR;
  }
}

/**
 * Scans one line of a plain scalar from `pos`. Returns the end of its text (trailing
 * blanks excluded) and leaves `pos` there; the caller looks at what stopped it.
 */
export function scanPlainLine(st: St, flow: boolean): number {
  // The reader's hottest loop: it reads the string directly, as it runs before any
  // optimising compiler has inlined the `st.code` accessor.
  const src = st.src;
  let p = st.pos;
  let end = p;
  for (;;) {
    const c = src.charCodeAt(p);
    if (c === SPACE || c === TAB) {
      p++;
      continue;
    }
    if (c === LF || c === CR || c !== c) break;
    if (c === HASH && p > end) break;
    if (c === COLON) {
      const d = src.charCodeAt(p + 1);
      if (isBlankOrEnd(d) || (flow && isFlowIndicator(d))) break;
    } else if (flow && isFlowIndicator(c)) break;
    else if (c < 0x20 || c === 0x7f || c === 0xfeff) bail('control character');
    // Skip the run of characters that need no decision in one native step.
    const run = flow ? ORDINARY_FLOW : ORDINARY_BLOCK;
    run.lastIndex = p + 1;
    p = run.test(src) ? run.lastIndex : p + 1;
    end = p;
  }
  st.pos = end;
  return end;
}

/** Characters `scanPlainLine` only steps over (no blank, break, `#`, `:`, control character). */
// eslint-disable-next-line no-control-regex -- excluding control characters is the point
const ORDINARY_BLOCK = /[^\x00-\x20#:\x7f\ufeff]+/y;
// eslint-disable-next-line no-control-regex -- as above
const ORDINARY_FLOW = /[^\x00-\x20#:,[\]{}\x7f\ufeff]+/y;

/** Whether a line of a multi-line plain scalar may continue the scalar (conservative). */
export function continuationOk(st: St, n: number): boolean {
  return st.indent > n && !st.sawComment;
}

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};
const HEX_LEN: Record<string, number> = { x: 2, u: 4, U: 8 };

/**
 * Reads a quoted scalar starting at its opening quote; `n` is the indentation that
 * continuation lines must exceed. Leaves `pos` after the closing quote.
 */
export function readQuoted(st: St, n: number): string {
  const src = st.src;
  const q = st.code(st.pos);
  const dq = q === DQUOTE;
  let p = st.pos + 1;
  let seg = p;
  let out = '';
  for (;;) {
    const c = src.charCodeAt(p);
    if (c === q) {
      if (!dq && src.charCodeAt(p + 1) === SQUOTE) {
        out += src.slice(seg, p + 1);
        p += 2;
        seg = p;
        continue;
      }
      out += src.slice(seg, p);
      st.pos = p + 1;
      return out;
    }
    if (c === 0x5c && dq) {
      out += src.slice(seg, p);
      const e = src[p + 1];
      if (e === undefined) bail('unterminated escape');
      const simple = ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        p += 2;
      } else if (HEX_LEN[e] !== undefined) {
        const len = HEX_LEN[e];
        const hex = src.slice(p + 2, p + 2 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) bail('bad hex escape');
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) bail('bad code point');
        if (cp === 0x24) st.opaque++; // a `$` the source text does not show
        out += String.fromCodePoint(cp);
        p += 2 + len;
      } else if (e === '\n' || e === '\r') {
        // Escaped line break: the break and the next line's indentation disappear.
        st.pos = p + 1;
        p = foldBreak(st, n, true);
        out += '\n'.repeat(st.blankLines);
      } else bail('unknown escape');
      seg = p;
      continue;
    }
    if (c === LF || c === CR) {
      let e = p;
      while (e > seg && (src.charCodeAt(e - 1) === SPACE || src.charCodeAt(e - 1) === TAB)) e--;
      out += src.slice(seg, e);
      st.pos = p;
      p = foldBreak(st, n, false);
      out += st.blankLines === 0 ? ' ' : '\n'.repeat(st.blankLines);
      seg = p;
      continue;
    }
    if (c !== c) bail('unterminated quoted scalar');
    if ((c < 0x20 && c !== TAB) || c === 0x7f || c === 0xfeff) bail('control character');
    p++;
  }
}

/** From a line break inside a quoted scalar: skips it, empty lines and the next line's indentation. */
function foldBreak(st: St, n: number, escaped: boolean): number {
  const src = st.src;
  let p = st.pos;
  st.blankLines = 0;
  for (;;) {
    if (!atBreak(st, p)) bail('expected line break');
    p += src.charCodeAt(p) === CR ? 2 : 1;
    const lineStart = p;
    let c = src.charCodeAt(p);
    while (c === SPACE) c = src.charCodeAt(++p);
    if (c === TAB) bail('tab in quoted scalar');
    if (c === LF || c === CR) {
      st.blankLines++;
      continue;
    }
    if (c !== c) bail('unterminated quoted scalar');
    if (p === lineStart && isDocMarker(st, p)) bail('document marker in quoted scalar');
    if (p - lineStart <= n) bail('quoted scalar continuation not indented');
    if (escaped && st.blankLines > 0) bail('empty lines after escaped break');
    return p;
  }
}
