import type { Lookup } from './types.js';

/**
 * The interpolation engine for one string (compose-spec.md §2.3): `$VAR`, `${VAR}`, the six
 * operators `:-` `-` `:?` `?` `:+` `+` with nested templates in their argument, `$$` for a
 * literal `$`. It reports, never prints: unset variables come back in `unset`.
 */

export type SubstituteError =
  | { readonly kind: 'invalid'; readonly template: string }
  | { readonly kind: 'required'; readonly variable: string; readonly reason: string };

export type SubstituteResult =
  | { readonly ok: true; readonly value: string; readonly unset: string[] }
  | { readonly ok: false; readonly error: SubstituteError; readonly unset: string[] };

export interface VariableInfo {
  name: string;
  defaultValue?: string;
  presenceValue?: string;
  required: boolean;
}

export type Operator = ':-' | '-' | ':?' | '?' | ':+' | '+';

type Token =
  | { readonly kind: 'literal'; readonly text: string; readonly end: number }
  | { readonly kind: 'var'; readonly name: string; readonly end: number }
  | { readonly kind: 'op'; readonly name: string; readonly op: Operator; readonly arg: string; readonly end: number }
  | { readonly kind: 'invalid'; readonly end: number };

const NAME_START = /[_A-Za-z]/;
const NAME_CHAR = /[_A-Za-z0-9]/;

function isNameStart(c: string | undefined): boolean {
  return c !== undefined && NAME_START.test(c);
}

function readName(t: string, from: number): number {
  let k = from;
  while (k < t.length && NAME_CHAR.test(t[k]!)) k++;
  return k;
}

/**
 * Index of the `}` closing the `${` at `start`, counting nested `${` (plain `{` does not
 * count, as in compose-go), searching no further than `last`; -1 when unbalanced.
 */
function closingBrace(t: string, start: number, last: number): number {
  let open = 0;
  for (let p = start; p <= last; p++) {
    if (t[p] === '}') {
      open--;
      if (open === 0) return p;
    }
    if (t.startsWith('${', p)) {
      open++;
      p++;
    }
  }
  return -1;
}

/** Reads the `$` token at `i` (where `t[i] === '$'`). */
function readToken(t: string, i: number): Token {
  const c = t[i + 1];
  if (c === '$') return { kind: 'literal', text: '$', end: i + 2 };
  if (isNameStart(c)) {
    const end = readName(t, i + 1);
    return { kind: 'var', name: t.slice(i + 1, end), end };
  }
  if (c !== '{') return { kind: 'literal', text: '$', end: i + 1 };
  if (!isNameStart(t[i + 2])) return { kind: 'invalid', end: i + 1 };
  const nameEnd = readName(t, i + 2);
  const name = t.slice(i + 2, nameEnd);
  if (t[nameEnd] === '}') return { kind: 'var', name, end: nameEnd + 1 };
  let op: Operator;
  let argStart: number;
  const a = t[nameEnd];
  const b = t[nameEnd + 1];
  if (a === ':' && (b === '-' || b === '+' || b === '?')) {
    op = `:${b}`;
    argStart = nameEnd + 2;
  } else if (a === '-' || a === '+' || a === '?') {
    op = a;
    argStart = nameEnd + 1;
  } else {
    return { kind: 'invalid', end: i + 1 };
  }
  // compose-go's pattern needs a `}` on the same line; brace counting then picks the one
  // that closes this expression, or the last one on the line when braces do not balance.
  const nl = t.indexOf('\n', argStart);
  const lineEnd = nl < 0 ? t.length : nl;
  const last = t.lastIndexOf('}', lineEnd - 1);
  if (last < argStart) return { kind: 'invalid', end: i + 1 };
  const close = closingBrace(t, i, last);
  const bodyEnd = close >= 0 ? close : last;
  return { kind: 'op', name, op, arg: t.slice(argStart, bodyEnd), end: bodyEnd + 1 };
}

type Step = { ok: true; value: string } | { ok: false; error: SubstituteError };

interface Run {
  readonly root: string;
  readonly lookup: Lookup;
  readonly unset: string[];
}

function noteUnset(run: Run, name: string): void {
  if (!run.unset.includes(name)) run.unset.push(name);
}

function evalOp(run: Run, tok: Extract<Token, { kind: 'op' }>): Step {
  const value = run.lookup(tok.name);
  // The argument is only evaluated when used, so an unused default neither warns nor fails.
  switch (tok.op) {
    case ':-':
      return value === undefined || value === '' ? expand(run, tok.arg) : { ok: true, value };
    case '-':
      return value === undefined ? expand(run, tok.arg) : { ok: true, value };
    case ':+':
      return value !== undefined && value !== '' ? expand(run, tok.arg) : { ok: true, value: value ?? '' };
    case '+':
      return value !== undefined ? expand(run, tok.arg) : { ok: true, value: '' };
    case ':?':
    case '?': {
      const missing = value === undefined || (tok.op === ':?' && value === '');
      if (!missing) return { ok: true, value };
      const reason = expand(run, tok.arg);
      if (!reason.ok) return reason;
      return { ok: false, error: { kind: 'required', variable: tok.name, reason: reason.value } };
    }
  }
}

function expand(run: Run, t: string): Step {
  let out = '';
  let i = 0;
  for (;;) {
    const d = t.indexOf('$', i);
    if (d < 0) {
      out += t.slice(i);
      break;
    }
    out += t.slice(i, d);
    const tok = readToken(t, d);
    switch (tok.kind) {
      case 'literal':
        out += tok.text;
        break;
      case 'var': {
        const v = run.lookup(tok.name);
        if (v === undefined) noteUnset(run, tok.name);
        out += v ?? '';
        break;
      }
      case 'op': {
        const r = evalOp(run, tok);
        if (!r.ok) return r;
        out += r.value;
        break;
      }
      case 'invalid':
        return { ok: false, error: { kind: 'invalid', template: run.root } };
    }
    i = tok.end;
  }
  return { ok: true, value: out };
}

/** Substitutes every variable of `template`; stops at the first error. */
export function substitute(template: string, lookup: Lookup): SubstituteResult {
  const run: Run = { root: template, lookup, unset: [] };
  const r = expand(run, template);
  return r.ok ? { ok: true, value: r.value, unset: run.unset } : { ok: false, error: r.error, unset: run.unset };
}

/** The compose-go wording of a substitution error; `path` names the value (`services.web.image`). */
export function formatSubstituteError(error: SubstituteError, path: string): string {
  switch (error.kind) {
    case 'invalid':
      return `invalid interpolation format for ${path}.\nYou may need to escape any $ with another $.\n${error.template}`;
    case 'required':
      return error.reason === ''
        ? `required variable ${error.variable} is missing a value`
        : `required variable ${error.variable} is missing a value: ${error.reason}`;
  }
}

/** Message of the warning for a variable that is used but not set. */
export function unsetVariableMessage(name: string): string {
  return `The "${name}" variable is not set. Defaulting to a blank string.`;
}

/**
 * Every variable `template` refers to, in order of appearance, including those nested in
 * operator arguments (`${A:-${B}}` lists A, then B). Invalid parts are skipped.
 */
export function extractVariables(template: string): VariableInfo[] {
  const out: VariableInfo[] = [];
  let i = 0;
  for (;;) {
    const d = template.indexOf('$', i);
    if (d < 0) break;
    const tok = readToken(template, d);
    switch (tok.kind) {
      case 'literal':
      case 'invalid':
        break;
      case 'var':
        out.push({ name: tok.name, required: false });
        break;
      case 'op':
        out.push(describeOp(tok.name, tok.op, tok.arg));
        out.push(...extractVariables(tok.arg));
        break;
    }
    i = tok.end;
  }
  return out;
}

function describeOp(name: string, op: Operator, arg: string): VariableInfo {
  switch (op) {
    case ':?':
    case '?':
      return { name, required: true };
    case ':-':
    case '-':
      return { name, defaultValue: arg, required: false };
    case ':+':
    case '+':
      return { name, presenceValue: arg, required: false };
  }
}
