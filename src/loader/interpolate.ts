import type { DiagnosticBag } from '../errors/diagnostic.js';
import type { RawMap } from './raw.js';
import type { Lookup } from './types.js';

/**
 * Interpolates every string value (never keys) of one parsed document in place, then casts
 * the typed paths (compose-spec.md §2.3). Errors carry the node's location.
 */
export function interpolateDocument(_doc: RawMap, _lookup: Lookup, _diags: DiagnosticBag): void {
  throw new Error('not implemented: interpolateDocument');
}

export interface VariableInfo {
  name: string;
  defaultValue?: string;
  presenceValue?: string;
  required: boolean;
}

/** Every variable a document refers to, for `config --variables`. */
export function collectVariables(_doc: RawMap): VariableInfo[] {
  throw new Error('not implemented: collectVariables');
}
