import type { DiagnosticBag, ModelPath, SourceLocation } from '../errors/diagnostic.js';
import { formatPath } from '../errors/diagnostic.js';
import type { CastState } from './interpolate-casts.js';
import { castAt, castStep, castValue, ROOT_CAST_STATE } from './interpolate-casts.js';
import type { RawMap, RawValue } from './raw.js';
import { entryLocation, isDollarFree, isRawMap } from './raw.js';
import type { VariableInfo } from './template.js';
import { extractVariables, formatSubstituteError, substitute, unsetVariableMessage } from './template.js';
import type { Lookup } from './types.js';

export type { VariableInfo } from './template.js';

const CODE = 'interpolation';

type Container = RawMap | RawValue[];

interface Ctx {
  readonly lookup: Lookup;
  readonly diags: DiagnosticBag;
}

/**
 * Interpolates every string value (never keys) of one parsed document in place, then casts
 * the typed paths (compose-spec.md §2.3). Errors carry the node's location.
 */
export function interpolateDocument(doc: RawMap, lookup: Lookup, diags: DiagnosticBag): void {
  walk(doc, [], ROOT_CAST_STATE, { lookup, diags });
}

/**
 * Warns about an unset variable once per load (the bag lives for one load), at its first use.
 * Shared with the env-file reader so `.env` and compose files report a variable once.
 */
export function warnUnsetOnce(diags: DiagnosticBag, name: string, location?: SourceLocation, path?: ModelPath): void {
  const message = unsetVariableMessage(name);
  if (diags.items.some((d) => d.severity === 'warning' && d.message === message)) return;
  diags.warn(CODE, message, location, path);
}

/**
 * `path` is the one array of the whole walk (copied only for a diagnostic); `cast` follows
 * the typed paths along with it.
 */
function walk(container: Container, path: Array<string | number>, cast: CastState, ctx: Ctx): void {
  if (Array.isArray(container)) {
    for (let i = 0; i < container.length; i++) {
      const value = container[i]!;
      if (typeof value !== 'object' && typeof value !== 'string') continue;
      path.push(i);
      const v = visit(container, i, value, path, castStep(cast, i), ctx);
      if (v !== value) container[i] = v;
      path.pop();
    }
  } else {
    for (const key in container) {
      const value = container[key]!;
      if (typeof value !== 'object' && typeof value !== 'string') continue;
      path.push(key);
      const v = visit(container, key, value, path, castStep(cast, key), ctx);
      if (v !== value) container[key] = v;
      path.pop();
    }
  }
}

/** The value to store at `container[key]` (the same value when nothing changes). */
function visit(container: Container, key: string | number, value: RawValue, path: Array<string | number>, cast: CastState, ctx: Ctx): RawValue {
  if (typeof value !== 'string') {
    // A subtree the YAML reader saw no `$` in, and with no typed path below, has nothing to do.
    if (value !== null && typeof value === 'object' && (cast !== undefined || !isDollarFree(value))) walk(value, path, cast, ctx);
    return value;
  }
  let text = value;
  if (value.includes('$')) {
    const r = substitute(value, ctx.lookup);
    for (const name of r.unset) warnUnsetOnce(ctx.diags, name, entryLocation(container, key), [...path]);
    if (!r.ok) {
      ctx.diags.error(CODE, formatSubstituteError(r.error, formatPath(path)), entryLocation(container, key), [...path]);
      return value;
    }
    text = r.value;
  }
  const kind = typeof key === 'string' ? castAt(cast) : undefined;
  if (kind === undefined) return text;
  const result = castValue(kind, text);
  if (!result.ok) {
    ctx.diags.error(CODE, result.message, entryLocation(container, key), [...path]);
    return text;
  }
  if (result.warning !== undefined) ctx.diags.warn(CODE, result.warning, entryLocation(container, key), [...path]);
  return result.value;
}

/**
 * Every variable a document refers to, for `config --variables`: de-duplicated and sorted by
 * name. A variable used several times is required if any use requires it; its default and
 * presence values are those of the first use that gives one.
 */
export function collectVariables(doc: RawMap): VariableInfo[] {
  const byName = new Map<string, VariableInfo>();
  const add = (v: VariableInfo): void => {
    const seen = byName.get(v.name);
    if (seen === undefined) {
      byName.set(v.name, { ...v });
      return;
    }
    if (v.required) seen.required = true;
    if (seen.defaultValue === undefined && v.defaultValue !== undefined) seen.defaultValue = v.defaultValue;
    if (seen.presenceValue === undefined && v.presenceValue !== undefined) seen.presenceValue = v.presenceValue;
  };
  const scan = (value: RawValue): void => {
    if (typeof value === 'string') extractVariables(value).forEach(add);
    else if (Array.isArray(value)) value.forEach(scan);
    else if (isRawMap(value)) Object.values(value).forEach(scan);
  };
  scan(doc);
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
