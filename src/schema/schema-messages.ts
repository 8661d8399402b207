import type { ErrorObject } from 'ajv';
import type { ModelPath } from '../errors/diagnostic.js';
import { formatPath } from '../errors/diagnostic.js';
import type { RawValue } from '../loader/raw.js';
import { isRawMap } from '../loader/raw.js';
import type { SchemaNode } from './describe.js';
import { describeForms, enumMessage, isSchemaNode, joinAnd, joinOr, patternLiterals } from './describe.js';
import { closestMatch } from './suggest.js';

/** One schema problem, ready to become a diagnostic. */
export interface SchemaIssue {
  readonly path: ModelPath;
  /** The problem is the map key itself (unknown property): point at the key. */
  readonly forKey: boolean;
  readonly message: string;
}

interface Pending extends SchemaIssue {
  /** Lower wins when one node has several problems (a wrong type hides the rest). */
  readonly rank: number;
  /** Set for "wrong type" problems: the forms the node accepts. */
  readonly expected?: readonly string[];
  readonly missing?: string;
}

const COMPARISON: Readonly<Record<string, string>> = {
  '>=': 'greater than or equal to',
  '<=': 'less than or equal to',
  '>': 'greater than',
  '<': 'less than',
};

/**
 * Turns ajv's errors into one clear message per offending node. ajv reports every failed
 * alternative of an anyOf/oneOf; those are collapsed: when the value's type matches one
 * alternative only, that alternative's own errors are kept, otherwise one "must be a or b"
 * message lists the accepted forms.
 */
export function schemaIssues(errors: readonly ErrorObject[], root: RawValue): SchemaIssue[] {
  const pending: Pending[] = [];
  for (const err of errors) {
    const path = toModelPath(err.instancePath, root);
    if (err.keyword === 'anyOf' || err.keyword === 'oneOf') collapseUnion(pending, path, err);
    else if (err.keyword !== 'if' && err.keyword !== 'allOf') pending.push(toIssue(err, path));
  }
  return finish(pending);
}

/** Converts a JSON pointer into model path segments (numbers for sequence indices). */
export function toModelPath(pointer: string, root: RawValue): ModelPath {
  if (pointer === '') return [];
  const out: Array<string | number> = [];
  let node: RawValue | undefined = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(seg);
      out.push(index);
      node = node[index];
    } else {
      out.push(seg);
      node = isRawMap(node) ? node[seg] : undefined;
    }
  }
  return out;
}

function toIssue(err: ErrorObject, path: ModelPath): Pending {
  const schema: SchemaNode = isSchemaNode(err.parentSchema) ? err.parentSchema : {};
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'type': {
      const expected = describeForms(schema);
      const values = schema['enum'];
      const message = Array.isArray(values) ? enumMessage(values) : `must be ${joinOr(expected)}`;
      return { path, forKey: false, message, rank: 0, expected };
    }
    case 'enum':
      return { path, forKey: false, message: enumMessage(asArray(params['allowedValues'])), rank: 1 };
    case 'const':
      return { path, forKey: false, message: enumMessage([params['allowedValue']]), rank: 1 };
    case 'pattern': {
      const literal = patternLiterals(params['pattern']) !== undefined;
      const message = literal ? `must be ${joinOr(describeForms(schema))}` : `must match pattern ${JSON.stringify(params['pattern'])}`;
      return { path, forKey: false, message, rank: 1 };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const comparison = COMPARISON[String(params['comparison'])] ?? String(params['comparison']);
      return { path, forKey: false, message: `must be ${comparison} ${String(params['limit'])}`, rank: 2 };
    }
    case 'required': {
      const missing = String(params['missingProperty']);
      return { path, forKey: false, message: `missing property ${JSON.stringify(missing)}`, rank: 3, missing };
    }
    case 'additionalProperties':
      return additionalProperty(path, String(params['additionalProperty']), schema);
    case 'uniqueItems': {
      const i = Number(params['i']);
      const j = Number(params['j']);
      return { path: [...path, Math.max(i, j)], forKey: false, message: `duplicate item (same as [${Math.min(i, j)}])`, rank: 2 };
    }
    default:
      return { path, forKey: false, message: err.message ?? 'is not valid', rank: 4 };
  }
}

function additionalProperty(path: ModelPath, name: string, schema: SchemaNode): Pending {
  const key = JSON.stringify(name);
  const props = schema['properties'];
  if (isSchemaNode(props)) {
    const suggestion = closestMatch(name, Object.keys(props));
    const hint = suggestion === undefined ? '' : ` (did you mean ${JSON.stringify(suggestion)}?)`;
    return { path: [...path, name], forKey: true, message: `additional property ${key} is not allowed${hint}`, rank: 0 };
  }
  // A map of user-chosen names (services, networks, ulimits…): the name itself is malformed.
  const patterns = isSchemaNode(schema['patternProperties']) ? Object.keys(schema['patternProperties']) : [];
  const rule = patterns.length > 0 ? ` (names must match ${patterns.join(' or ')})` : '';
  return { path: [...path, name], forKey: true, message: `additional property ${key} is not allowed${rule}`, rank: 0 };
}

/**
 * ajv emits a union's alternatives' errors just before the union's own error, so they are
 * the trailing pending issues at or below the union's node (nested unions were already
 * collapsed the same way).
 */
function collapseUnion(pending: Pending[], path: ModelPath, err: ErrorObject): void {
  const children: Pending[] = [];
  while (pending.length > 0 && isUnder(pending[pending.length - 1]!.path, path)) children.unshift(pending.pop()!);
  const specific = children.filter((c) => c.expected === undefined || c.path.length > path.length);
  if (specific.length > 0) {
    pending.push(...specific);
    return;
  }
  const expected = [...new Set(children.flatMap((c) => c.expected ?? []))];
  const message = expected.length > 0 ? `must be ${joinOr(expected)}` : (err.message ?? 'is not valid');
  pending.push({ path, forKey: false, message, rank: 0, expected });
}

function isUnder(path: ModelPath, prefix: ModelPath): boolean {
  return path.length >= prefix.length && prefix.every((seg, i) => path[i] === seg);
}

function finish(pending: readonly Pending[]): SchemaIssue[] {
  const byNode = new Map<string, Pending>();
  const missing = new Map<string, string[]>();
  for (const issue of pending) {
    const key = `${formatPath(issue.path)}${issue.forKey ? '\0key' : ''}`;
    if (issue.missing !== undefined) missing.set(key, [...(missing.get(key) ?? []), issue.missing]);
    const seen = byNode.get(key);
    if (seen === undefined || issue.rank < seen.rank) byNode.set(key, issue);
  }
  const out: SchemaIssue[] = [];
  for (const [key, issue] of byNode) {
    const names = [...new Set(missing.get(key) ?? [])].sort();
    const message =
      issue.missing !== undefined && names.length > 1
        ? `missing properties ${joinAnd(names.map((n) => JSON.stringify(n)))}`
        : issue.message;
    out.push({ path: issue.path, forKey: issue.forKey, message });
  }
  return out;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
