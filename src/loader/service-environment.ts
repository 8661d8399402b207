import type { DiagnosticBag } from '../errors/diagnostic.js';
import type { RawMap } from './raw.js';
import type { Lookup } from './types.js';

/**
 * Resolves each service's environment (compose-spec.md §2.6), in place, on the canonical
 * model: `environment` bare keys from `lookup` (removed when unset), `env_file` contents under
 * `environment`, `label_file` contents under `labels`. Missing required files are errors.
 */
export function resolveServiceEnvironment(_model: RawMap, _lookup: Lookup, _diags: DiagnosticBag): void {
  throw new Error('not implemented: resolveServiceEnvironment');
}
