/**
 * Dockerfile variable substitution and quote removal, as Docker's shell lexer does it for the
 * instructions it expands (FROM, ARG, ENV, LABEL, COPY, ADD, WORKDIR, USER, EXPOSE, VOLUME,
 * STOPSIGNAL): `$V`, `${V}`, `${V:-x}`, `${V-x}`, `${V:+x}`, `${V+x}`, `${V:?msg}`, `${V?msg}`;
 * single quotes are literal, double quotes allow substitution, the escape character (`\` or the
 * `# escape=` one) makes the next character literal.
 */
export type VarLookup = (name: string) => string | undefined;

export class SubstitutionError extends Error {}

const NAME_CHAR = /[A-Za-z0-9_]/;
const WHITESPACE = /[ \t\r\n]/;

class Lexer {
  private pos = 0;

  constructor(private readonly text: string, private readonly lookup: VarLookup, private readonly escape: string) {}

  /** Words split on unquoted whitespace (`split`), or the whole text as one word. */
  words(split: boolean): string[] {
    const out: string[] = [];
    let cur = '';
    let inWord = false;
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos]!;
      if (split && WHITESPACE.test(ch)) {
        if (inWord) out.push(cur);
        cur = '';
        inWord = false;
        this.pos++;
        continue;
      }
      if (split && ch === '$') {
        // Docker splits after substitution: an unquoted value with spaces makes several words.
        const pieces = this.dollar().split(/[ \t\r\n]+/);
        for (let i = 0; i < pieces.length; i++) {
          if (i > 0) {
            if (inWord) out.push(cur);
            cur = '';
            inWord = false;
          }
          if (pieces[i] !== '') {
            cur += pieces[i];
            inWord = true;
          }
        }
        continue;
      }
      inWord = true;
      cur += this.unit(undefined);
    }
    if (inWord || !split) out.push(cur);
    return out;
  }

  /** One lexical unit outside double quotes: an escape, a quoted string, a substitution or a character. */
  private unit(stop: string | undefined): string {
    const ch = this.text[this.pos]!;
    if (ch === this.escape) {
      this.pos++;
      if (this.pos >= this.text.length) return '';
      return this.text[this.pos++]!;
    }
    if (ch === "'") return this.singleQuoted();
    if (ch === '"') return this.doubleQuoted();
    if (ch === '$') return this.dollar();
    if (stop !== undefined && ch === stop) return '';
    this.pos++;
    return ch;
  }

  private singleQuoted(): string {
    const end = this.text.indexOf("'", this.pos + 1);
    if (end < 0) throw new SubstitutionError('unexpected end of statement while looking for matching single-quote');
    const body = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return body;
  }

  private doubleQuoted(): string {
    this.pos++;
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) throw new SubstitutionError('unexpected end of statement while looking for matching double-quote');
      const ch = this.text[this.pos]!;
      if (ch === '"') {
        this.pos++;
        return out;
      }
      if (ch === '$') {
        out += this.dollar();
        continue;
      }
      if (ch === this.escape) {
        const next = this.text[this.pos + 1];
        if (next === '"' || next === '$' || next === this.escape) {
          out += next;
          this.pos += 2;
          continue;
        }
      }
      out += ch;
      this.pos++;
    }
  }

  /** Text up to the closing `}` of a `${…}` word, expanded (nested quotes and substitutions allowed). */
  private untilBrace(): string {
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) throw new SubstitutionError("syntax error: missing '}'");
      if (this.text[this.pos] === '}') {
        this.pos++;
        return out;
      }
      out += this.unit('}');
    }
  }

  private dollar(): string {
    this.pos++;
    const next = this.text[this.pos];
    if (next === '{') {
      this.pos++;
      return this.braced();
    }
    let name = '';
    while (this.pos < this.text.length && NAME_CHAR.test(this.text[this.pos]!)) name += this.text[this.pos++];
    if (name === '') return '$';
    return this.lookup(name) ?? '';
  }

  private braced(): string {
    let name = '';
    while (this.pos < this.text.length && NAME_CHAR.test(this.text[this.pos]!)) name += this.text[this.pos++];
    if (name === '') throw new SubstitutionError('bad substitution: missing variable name in ${}');
    const ch = this.text[this.pos];
    if (ch === undefined) throw new SubstitutionError("syntax error: missing '}'");
    if (ch === '}') {
      this.pos++;
      return this.lookup(name) ?? '';
    }
    let colon = false;
    let op: string | undefined = ch;
    if (ch === ':') {
      colon = true;
      op = this.text[this.pos + 1];
      this.pos++;
    }
    if (op !== '-' && op !== '+' && op !== '?') throw new SubstitutionError(`unsupported modifier (${colon ? ':' : ''}${op ?? ''}) in substitution of ${name}`);
    this.pos++;
    const word = this.untilBrace();
    const value = this.lookup(name);
    const set = colon ? value !== undefined && value !== '' : value !== undefined;
    switch (op) {
      case '-':
        return set ? value ?? '' : word;
      case '+':
        return set ? word : '';
      case '?':
        if (!set) throw new SubstitutionError(`${name}: ${word === '' ? 'is not allowed to be unset' : word}`);
        return value ?? '';
    }
  }
}

/** The text as one word: substitutions done, quotes and escapes removed, whitespace kept. */
export function expandWord(text: string, lookup: VarLookup, escape = '\\'): string {
  return new Lexer(text, lookup, escape).words(false)[0] ?? '';
}

/** The text split on unquoted whitespace, each word expanded. */
export function expandWords(text: string, lookup: VarLookup, escape = '\\'): string[] {
  return new Lexer(text, lookup, escape).words(true);
}

/**
 * Splits on unquoted whitespace without expanding (quotes and escapes are kept), as Docker does
 * before reading `key=value` pairs of ENV, LABEL and ARG.
 */
export function splitKeepingQuotes(text: string, escape = '\\'): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === undefined && WHITESPACE.test(ch)) {
      if (cur !== '') out.push(cur);
      cur = '';
      continue;
    }
    if (ch === escape && quote !== "'" && i + 1 < text.length) {
      cur += ch + text[i + 1]!;
      i++;
      continue;
    }
    if (quote === undefined && (ch === '"' || ch === "'")) quote = ch;
    else if (ch === quote) quote = undefined;
    cur += ch;
  }
  if (cur !== '') out.push(cur);
  return out;
}
