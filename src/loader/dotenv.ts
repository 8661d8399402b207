import type { SourceLocation } from '../errors/diagnostic.js';
import { formatSubstituteError, substitute, unsetVariableMessage } from './template.js';
import type { Lookup } from './types.js';

export interface DotEnvProblem {
  message: string;
  location: SourceLocation;
}

export interface DotEnvResult {
  /** Variables in file order; later lines win. */
  values: Map<string, string>;
  /** Errors: a syntax error stops the parse (values hold what came before it). */
  problems: DotEnvProblem[];
  /** Unset variables used in values (`The "X" variable is not set…`), one per variable. */
  warnings: DotEnvWarning[];
}

export interface DotEnvWarning extends DotEnvProblem {
  /** The unset variable. */
  variable: string;
}

export interface DotEnvOptions {
  /** docker CLI `--env-file` rules: no quotes, no interpolation. */
  raw?: boolean;
  /**
   * Consulted after `lookup` and after the file's own earlier lines, for interpolation and bare
   * `VAR` lines: the variables of env files read before this one.
   */
  fallback?: Lookup;
}

/** Go's unicode.IsSpace minus the line feed: what separates tokens within a line. */
const INLINE_SPACE = /[\t\v\f\r \u0085\u00a0]/;
const KEY_PUNCT = new Set(['_', '.', '-', '[', ']']);
const KEY_CHAR = /[\p{L}\p{N}]/u;
/** compose-go strips `export` followed by Go's `\s`, which includes the line feed. */
const EXPORT = /export[\t\n\f\r ]+/y;

class Positions {
  readonly #starts: number[] = [0];
  constructor(
    private readonly file: string,
    text: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.#starts.push(i + 1);
  }

  at(offset: number): SourceLocation {
    let lo = 0;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, col: offset - this.#starts[lo]! + 1 };
  }
}

interface Ctx {
  readonly text: string;
  readonly pos: Positions;
  readonly lookup: Lookup;
  readonly fallback: Lookup;
  readonly out: DotEnvResult;
}

function problem(ctx: Ctx, offset: number, message: string): void {
  const location = ctx.pos.at(offset);
  ctx.out.problems.push({ message: `line ${location.line}: ${message}`, location });
}

/**
 * Parses `.env` / `env_file` syntax (compose-spec.md §2.5). `lookup` resolves `${VAR}` in
 * values and bare `VAR` lines; earlier lines of the same file are visible to later ones, but
 * `lookup` wins over them. With `raw`, no quote processing and no interpolation.
 */
export function parseDotEnv(text: string, file: string, lookup: Lookup, opts: DotEnvOptions = {}): DotEnvResult {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const out: DotEnvResult = { values: new Map(), problems: [], warnings: [] };
  const ctx: Ctx = { text: body, pos: new Positions(file, body), lookup, fallback: opts.fallback ?? (() => undefined), out };
  if (opts.raw === true) parseRaw(ctx);
  else parseStatements(ctx);
  return out;
}

function skipInlineSpace(t: string, i: number): number {
  while (i < t.length && INLINE_SPACE.test(t[i]!)) i++;
  return i;
}

function parseStatements(ctx: Ctx): void {
  const t = ctx.text;
  let i = 0;
  while (i < t.length) {
    if (/\s/.test(t[i]!)) {
      i++;
      continue;
    }
    if (t[i] === '#') {
      const nl = t.indexOf('\n', i);
      if (nl < 0) return;
      i = nl;
      continue;
    }
    EXPORT.lastIndex = i;
    if (EXPORT.exec(t) !== null) i = skipInlineSpace(t, EXPORT.lastIndex);
    const next = parseStatement(ctx, i);
    if (next < 0) return;
    i = next;
  }
}

/** Parses one `KEY…` statement at `start`; returns where the next one may begin, or -1 to stop. */
function parseStatement(ctx: Ctx, start: number): number {
  const t = ctx.text;
  let j = start;
  let term: '=' | ':' | '\n' | 'eof' = 'eof';
  for (; j < t.length; j++) {
    const ch = t[j]!;
    if (INLINE_SPACE.test(ch)) continue;
    if (ch === '=' || ch === ':' || ch === '\n') {
      term = ch;
      break;
    }
    if (KEY_PUNCT.has(ch) || KEY_CHAR.test(ch)) continue;
    problem(ctx, j, `unexpected character ${JSON.stringify(ch)} in variable name`);
    return -1;
  }
  const key = t.slice(start, j).replace(/\s+$/u, '');
  if (/\s/.test(key)) {
    problem(ctx, start, 'key cannot contain a space');
    return -1;
  }
  if (term === '\n' || term === 'eof') {
    // A bare `VAR` takes its value from the environment and is left out when not found there.
    const v = ctx.lookup(key) ?? ctx.fallback(key);
    if (v !== undefined) ctx.out.values.set(key, v);
    return j + 1;
  }
  const valueStart = skipInlineSpace(t, j + 1);
  const q = t[valueStart];
  if (q === '"' || q === "'") return parseQuoted(ctx, key, valueStart, q);
  const nl = t.indexOf('\n', valueStart);
  const lineEnd = nl < 0 ? t.length : nl;
  let raw = t.slice(valueStart, lineEnd);
  const comment = raw.indexOf(' #');
  if (comment >= 0) raw = raw.slice(0, comment);
  setInterpolated(ctx, key, raw.replace(/\s+$/u, ''), valueStart);
  return lineEnd + 1;
}

function parseQuoted(ctx: Ctx, key: string, open: number, quote: '"' | "'"): number {
  const t = ctx.text;
  let chars = '';
  let escaped = false;
  for (let k = open + 1; k < t.length; k++) {
    const ch = t[k]!;
    if (ch !== quote) {
      if (!escaped && ch === '\\') {
        escaped = true;
        continue;
      }
      if (escaped) {
        escaped = false;
        chars += '\\';
      }
      chars += ch;
      continue;
    }
    if (escaped) {
      escaped = false;
      chars += ch;
      continue;
    }
    if (quote === "'") ctx.out.values.set(key, chars);
    else setInterpolated(ctx, key, expandEscapes(chars), open);
    // Whatever follows the closing quote is read as the next statement (a comment, usually).
    return k + 1;
  }
  problem(ctx, open, 'unterminated quoted value');
  return -1;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '"': '"',
  '\\': '\\',
  // `$$` is the template engine's literal dollar, so `\$` survives interpolation as `$`.
  $: '$$',
};

/** Shell-style escapes of double-quoted values; unknown ones (`\x`, `\u`, `\ `) stay as written. */
function expandEscapes(s: string): string {
  return s.replace(/\\(?:([abfnrtv$"\\])|0(\d{0,3}))/g, (match: string, simple?: string, octal?: string) => {
    if (simple !== undefined) return SIMPLE_ESCAPES[simple] ?? match;
    // `\0NNN` is an octal byte; anything else behaves as compose-go does (the `0` is dropped).
    const digits = octal ?? '';
    if (/^[0-7]{3}$/.test(digits)) {
      const code = parseInt(digits, 8);
      if (code <= 0xff) return String.fromCharCode(code);
    }
    return `\\${digits}`;
  });
}

function setInterpolated(ctx: Ctx, key: string, template: string, at: number): void {
  const values = ctx.out.values;
  const r = substitute(template, (name) => ctx.lookup(name) ?? values.get(name) ?? ctx.fallback(name));
  for (const name of r.unset) {
    if (ctx.out.warnings.some((w) => w.variable === name)) continue;
    ctx.out.warnings.push({ message: unsetVariableMessage(name), location: ctx.pos.at(at), variable: name });
  }
  if (r.ok) values.set(key, r.value);
  else problem(ctx, at, formatSubstituteError(r.error, key));
}

/** docker CLI `--env-file`: `KEY=VALUE` taken verbatim, `KEY` alone from the environment. */
function parseRaw(ctx: Ctx): void {
  const t = ctx.text;
  let lineStart = 0;
  while (lineStart <= t.length) {
    const nl = t.indexOf('\n', lineStart);
    const lineEnd = nl < 0 ? t.length : nl;
    let line = t.slice(lineStart, lineEnd);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const indent = line.length - line.trimStart().length;
    const content = line.slice(indent);
    if (content !== '' && !content.startsWith('#')) {
      const eq = content.indexOf('=');
      const name = eq < 0 ? content : content.slice(0, eq);
      if (/[ \t]/.test(name)) {
        problem(ctx, lineStart + indent, `variable '${name}' contains whitespaces`);
        return;
      }
      if (name === '') {
        problem(ctx, lineStart + indent, `no variable name on line '${content}'`);
        return;
      }
      if (eq >= 0) ctx.out.values.set(name, content.slice(eq + 1));
      else {
        const v = ctx.lookup(name) ?? ctx.fallback(name);
        if (v !== undefined) ctx.out.values.set(name, v);
      }
    }
    if (nl < 0) break;
    lineStart = nl + 1;
  }
}
