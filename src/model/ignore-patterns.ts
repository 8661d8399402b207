/**
 * `.dockerignore` patterns, with Docker's semantics: paths are relative to the context with `/`
 * separators; `*` and `?` stay within one path segment, `**` spans any number of segments
 * (including none), a leading `/` is dropped, `!` re-includes, and a pattern that matches a
 * directory also matches everything below it. The last matching pattern wins.
 */
export interface IgnorePattern {
  /** The cleaned pattern text (without `!`). */
  text: string;
  exception: boolean;
  regex: RegExp;
}

export interface IgnoreMatcher {
  readonly patterns: readonly IgnorePattern[];
  readonly hasExceptions: boolean;
  /** Whether a context-relative path is excluded. */
  ignores(path: string): boolean;
  /** Whether an excluded directory must still be walked because an exception may re-include something below it. */
  mustDescend(dir: string): boolean;
}

/** Lines of a `.dockerignore` file → patterns (comments and blank lines dropped). */
export function parseIgnoreFile(text: string): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    if (pattern === '') continue;
    const exception = pattern.startsWith('!');
    if (exception) pattern = pattern.slice(1).trim();
    if (pattern !== '') pattern = cleanPath(pattern);
    if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    out.push(exception ? `!${pattern}` : pattern);
  }
  return out;
}

/** Lexical clean like Go's path.Clean: no empty or `.` segments, `..` resolved. */
export function cleanPath(path: string): string {
  const rooted = path.startsWith('/');
  const parts: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
      continue;
    }
    parts.push(seg);
  }
  const joined = parts.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

const REGEX_SPECIAL = new Set(['.', '+', '(', ')', '|', '{', '}', '$', '^']);

function toRegex(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] ?? '';
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++;
        re += i + 1 >= pattern.length ? '.*' : '(?:.*/)?';
      } else {
        re += '[^/]*';
      }
    } else if (ch === '?') {
      re += '[^/]';
    } else if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) re += '\\\\';
      else {
        i++;
        re += /[A-Za-z0-9]/.test(next) ? next : `\\${next}`;
      }
    } else if (ch === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        let cls = pattern.slice(i + 1, close);
        if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
        re += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (REGEX_SPECIAL.has(ch) || ch === ']') {
      re += `\\${ch}`;
    } else {
      re += ch;
    }
  }
  return new RegExp(`${re}$`, 's');
}

export function compileIgnorePatterns(patterns: readonly string[]): IgnoreMatcher {
  const compiled: IgnorePattern[] = [];
  for (const p of patterns) {
    const exception = p.startsWith('!');
    const text = exception ? p.slice(1) : p;
    if (text === '') continue;
    compiled.push({ text, exception, regex: toRegex(text) });
  }
  const hasExceptions = compiled.some((p) => p.exception);
  const matches = (pattern: IgnorePattern, path: string): boolean => {
    if (pattern.regex.test(path)) return true;
    const segs = path.split('/');
    for (let i = 1; i < segs.length; i++) if (pattern.regex.test(segs.slice(0, i).join('/'))) return true;
    return false;
  };
  return {
    patterns: compiled,
    hasExceptions,
    ignores(path: string): boolean {
      const clean = cleanPath(path);
      let ignored = false;
      for (const p of compiled) if (matches(p, clean)) ignored = !p.exception;
      return ignored;
    },
    mustDescend(dir: string): boolean {
      const prefix = `${cleanPath(dir)}/`;
      return compiled.some((p) => p.exception && (`${p.text}/`.startsWith(prefix) || /^[*?[]/.test(p.text)));
    },
  };
}
