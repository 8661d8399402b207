/** Why a command string could not be split. */
export class ShellWordsError extends Error {}

function isBlank(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/**
 * Splits a `command` / `entrypoint` string into words the way docker compose does
 * (compose-go decodes them with mattn/go-shellwords, no env or backtick expansion):
 * blanks separate words; single quotes are literal; a backslash outside single quotes makes
 * the next character literal (inside double quotes too); `` `…` `` and `$(…)` are kept
 * verbatim as part of the word. An unquoted `;`, `&`, `|`, `<` or `>` ends the command:
 * what follows is dropped, as docker compose does (a redirect like `2>` drops its digit).
 * Unterminated quotes, a trailing backslash and a bare `(` are errors.
 */
export function splitShellWords(line: string): string[] {
  const args: string[] = [];
  let buf = '';
  let got = false;
  let escaped = false;
  let single = false;
  let double = false;
  let backQuote = false;
  let dollarQuote = false;
  const chars = Array.from(line);
  for (const r of chars) {
    if (escaped) {
      buf += r;
      escaped = false;
      got = true;
      continue;
    }
    if (r === '\\') {
      if (single) buf += r;
      else escaped = true;
      continue;
    }
    if (isBlank(r)) {
      if (single || double || backQuote || dollarQuote) buf += r;
      else if (got) {
        args.push(buf);
        buf = '';
        got = false;
      }
      continue;
    }
    let stop = false;
    switch (r) {
      case '`':
        if (!single && !double && !dollarQuote) backQuote = !backQuote;
        break;
      case ')':
        if (!single && !double && !backQuote) dollarQuote = !dollarQuote;
        break;
      case '(':
        if (!single && !double && !backQuote) {
          if (!dollarQuote && buf.endsWith('$')) {
            dollarQuote = true;
            buf += '(';
            got = true;
            continue;
          }
          throw new ShellWordsError('invalid command line string');
        }
        break;
      case '"':
        if (!single && !dollarQuote) {
          if (double && buf === '') got = true;
          double = !double;
          continue;
        }
        break;
      case "'":
        if (!double && !dollarQuote) {
          if (single && buf === '') got = true;
          single = !single;
          continue;
        }
        break;
      case ';':
      case '&':
      case '|':
      case '<':
      case '>':
        if (!single && !double && !backQuote && !dollarQuote) {
          if (r === '>' && /^[0-9]/.test(buf)) got = false;
          stop = true;
        }
        break;
      default:
        break;
    }
    if (stop) break;
    got = true;
    buf += r;
  }
  if (got) args.push(buf);
  if (escaped || single || double || backQuote || dollarQuote) throw new ShellWordsError('invalid command line string');
  return args;
}
