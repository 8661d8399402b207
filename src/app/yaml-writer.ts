/**
 * A small YAML writer for plain data (what `config` prints): block style, two-space
 * indents, sequences indented under their key, strings quoted only where a YAML 1.1 or 1.2
 * reader could take them for something else. Output of `config` must load back to the
 * same data in docker compose and in berth.
 */

type Data = null | boolean | number | string | Data[] | { [key: string]: Data };

const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~|<<)$/i;
const NUMBER_LIKE = /^[-+]?(?:\.[0-9]|[0-9])[0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?$/;
const OTHER_NUMBERS = /^(?:[-+]?\.(?:inf|nan)|0x[0-9a-f_]+|0o[0-7_]+|0b[01_]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$/i;
const DATE_LIKE = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;
const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`]/;
// Tabs and other control characters, plus the characters YAML does not allow in a plain scalar.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

function plainOk(s: string): boolean {
  if (s === '' || s.trim() !== s) return false;
  if (RESERVED.test(s) || NUMBER_LIKE.test(s) || OTHER_NUMBERS.test(s) || DATE_LIKE.test(s)) return false;
  if (NEEDS_ESCAPE.test(s)) return false;
  if (INDICATOR_START.test(s)) {
    // `-x`, `?x` and `:x` are plain scalars when the next character is not a space.
    if (!/^[-?:][^\s]/.test(s)) return false;
  }
  if (s.includes(': ') || s.includes(' #') || s.endsWith(':')) return false;
  if (s === '-' || s === '---' || s === '...') return false;
  return true;
}

function quoted(s: string): string {
  // JSON string escapes are a subset of YAML double-quoted escapes.
  return JSON.stringify(s);
}

function blockOk(s: string): boolean {
  if (!s.includes('\n') || NEEDS_ESCAPE.test(s.replace(/\n/g, ''))) return false;
  const lines = s.replace(/\n+$/, '').split('\n');
  if (lines[0]!.startsWith(' ')) return false;
  return lines.every((l) => l === l.trimEnd());
}

function scalar(v: null | boolean | number | string, indent: string): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '.nan';
    if (!Number.isFinite(v)) return v > 0 ? '.inf' : '-.inf';
    return String(v);
  }
  if (plainOk(v)) return v;
  if (blockOk(v)) {
    const trailing = v.length - v.replace(/\n+$/, '').length;
    const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
    const body = v.slice(0, v.length - trailing).split('\n');
    const extra = trailing > 1 ? '\n'.repeat(trailing - 1) : '';
    return `|${chomp}\n` + body.map((l) => (l === '' ? '' : indent + '  ' + l)).join('\n') + extra;
  }
  return quoted(v);
}

function key(k: string): string {
  return plainOk(k) ? k : quoted(k);
}

function isCollection(v: Data): v is Data[] | { [key: string]: Data } {
  return v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);
}

function emptyCollection(v: Data): string | undefined {
  if (Array.isArray(v) && v.length === 0) return '[]';
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) return '{}';
  return undefined;
}

function write(v: Data, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      const empty = emptyCollection(item);
      if (empty !== undefined) out.push(`${indent}- ${empty}`);
      else if (isCollection(item)) {
        const inner: string[] = [];
        write(item, indent + '  ', inner);
        // The first line of the item goes right after the dash.
        out.push(`${indent}- ${inner[0]!.slice(indent.length + 2)}`, ...inner.slice(1));
      } else out.push(`${indent}- ${scalar(item, indent + '  ')}`);
    }
    return;
  }
  if (v !== null && typeof v === 'object') {
    for (const [k, child] of Object.entries(v)) {
      const empty = emptyCollection(child);
      if (empty !== undefined) out.push(`${indent}${key(k)}: ${empty}`);
      else if (isCollection(child)) {
        out.push(`${indent}${key(k)}:`);
        write(child, indent + '  ', out);
      } else out.push(`${indent}${key(k)}: ${scalar(child, indent)}`);
    }
    return;
  }
  out.push(indent + scalar(v, indent));
}

/** Serializes plain data (the output of JSON.parse) as a YAML document. */
export function toYaml(value: unknown): string {
  const out: string[] = [];
  const empty = emptyCollection(value as Data);
  if (empty !== undefined) return empty + '\n';
  write(value as Data, '', out);
  return out.join('\n') + '\n';
}
