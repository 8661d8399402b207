import type { DiagnosticBag } from '../errors/diagnostic.js';
import type { RawMap } from './raw.js';
import type { Lookup } from './types.js';

export interface NormalizeContext {
  readonly diags: DiagnosticBag;
  readonly projectName: string;
  /** Interpolation environment, for `build.args` bare keys. */
  readonly lookup: Lookup;
}

/**
 * Rewrites a validated, merged model into the canonical long form of compose-spec.md §2.14,
 * in place: ports per published port, volumes/secrets/configs long syntax, depends_on map
 * with implicit dependencies, implicit default network, resource names, build defaults,
 * command/entrypoint split like a shell, healthcheck test as a list, and so on.
 */
export function normalizeModel(_model: RawMap, _ctx: NormalizeContext): void {
  throw new Error('not implemented: normalizeModel');
}
