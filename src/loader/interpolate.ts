import type { DiagnosticBag, ModelPath, SourceLocation } from '../errors/diagnostic.js';
import { formatPath } from '../errors/diagnostic.js';
import { castKindFor, castValue } from './interpolate-casts.js';
import type { RawMap, RawValue } from './raw.js';
import { entryLocation, isRawMap } from './raw.js';
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
  walk(doc, [], { lookup, diags });
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

function walk(container: Container, path: Array<string | number>, ctx: Ctx): void {
  if (Array.isArray(container)) {
    for (let i = 0; i < container.length; i++) visit(container, i, path, ctx);
  } else {
    for (const key of Object.keys(container)) visit(container, key, path, ctx);
  }
}

function read(container: Container, key: string | number): RawValue | undefined {
  return Array.isArray(container) ? container[key as number] : container[key as string];
}

function write(container: Container, key: string | number, value: RawValue): void {
  if (Array.isArray(container)) container[key as number] = value;
  else container[key as string] = value;
}

function visit(container: Container, key: string | number, parent: Array<string | number>, ctx: Ctx): void {
  const value = read(container, key);
  const path = [...parent, key];
  if (Array.isArray(value) || isRawMap(value)) {
    walk(value, path, ctx);
    return;
  }
  if (typeof value !== 'string') return;
  let text = value;
  if (value.includes('$')) {
    const r = substitute(value, ctx.lookup);
    for (const name of r.unset) warnUnsetOnce(ctx.diags, name, entryLocation(container, key), path);
    if (!r.ok) {
      ctx.diags.error(CODE, formatSubstituteError(r.error, formatPath(path)), entryLocation(container, key), path);
      return;
    }
    text = r.value;
  }
  const kind = castKindFor(path);
  if (kind === undefined) {
    if (text !== value) write(container, key, text);
    return;
  }
  const cast = castValue(kind, text);
  if (!cast.ok) {
    if (text !== value) write(container, key, text);
    ctx.diags.error(CODE, cast.message, entryLocation(container, key), path);
    return;
  }
  write(container, key, cast.value);
  if (cast.warning !== undefined) ctx.diags.warn(CODE, cast.warning, entryLocation(container, key), path);
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
