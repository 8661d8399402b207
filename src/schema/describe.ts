/**
 * Plain-English descriptions of what a schema node accepts, for messages such as
 * `must be a string or a list of strings`. Works on the JSON schema objects that ajv hands
 * back with its errors (option `verbose`).
 */
export type SchemaNode = Readonly<Record<string, unknown>>;

const SINGULAR: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  null: 'null',
  object: 'a mapping',
  array: 'a list',
};

const PLURAL: Readonly<Record<string, string>> = {
  string: 'strings',
  number: 'numbers',
  integer: 'integers',
  boolean: 'booleans',
  null: 'nulls',
  object: 'mappings',
  array: 'lists',
};

/** A pattern that only lists literal words, such as `^all$` or `^(host|private)$`. */
const LITERAL_PATTERN = /^\^\(?([\w.+-]+(?:\|[\w.+-]+)*)\)?\$$/;

export function isSchemaNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The types a node accepts, as users should read them. A type list that contains "string"
 * without starting with it only takes strings because interpolation may produce them
 * (`"${PRIVILEGED}"`), so "string" is left out of the description.
 */
export function visibleTypes(schema: SchemaNode): string[] {
  const raw = schema['type'];
  const types = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.filter((t): t is string => typeof t === 'string') : [];
  if (types.length > 1 && types[0] !== 'string' && types.includes('string')) return types.filter((t) => t !== 'string');
  return types;
}

/** Literal values allowed by a `^(a|b)$`-style pattern, or undefined for a real pattern. */
export function patternLiterals(pattern: unknown): string[] | undefined {
  if (typeof pattern !== 'string') return undefined;
  const m = LITERAL_PATTERN.exec(pattern);
  return m?.[1] === undefined ? undefined : m[1].split('|');
}

/** One phrase per accepted form: `['a string', 'a list of strings']`. */
export function describeForms(schema: SchemaNode): string[] {
  const out: string[] = [];
  for (const type of visibleTypes(schema)) {
    if (type === 'string') {
      const literals = patternLiterals(schema['pattern']);
      if (literals !== undefined) {
        out.push(...literals.map((l) => JSON.stringify(l)));
        continue;
      }
    }
    if (type === 'array' && isSchemaNode(schema['items'])) {
      const itemTypes = visibleTypes(schema['items']).map((t) => PLURAL[t] ?? t);
      out.push(itemTypes.length > 0 ? `a list of ${joinOr(itemTypes)}` : 'a list');
      continue;
    }
    out.push(SINGULAR[type] ?? type);
  }
  return out;
}

/** `a`, `a or b`, `a, b or c`. */
export function joinOr(items: readonly string[]): string {
  return joinWith(items, 'or');
}

/** `a`, `a and b`, `a, b and c`. */
export function joinAnd(items: readonly string[]): string {
  return joinWith(items, 'and');
}

function joinWith(items: readonly string[], word: string): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${word} ${items[items.length - 1] ?? ''}`;
}

/** `must be one of: rebuild, sync` (or `must be "x"` for a single value). */
export function enumMessage(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  if (shown.length === 1) return `must be ${JSON.stringify(values[0])}`;
  return `must be one of: ${shown.join(', ')}`;
}
