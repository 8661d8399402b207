import type { DiagnosticBag } from '../errors/diagnostic.js';
import type { RawMap } from './raw.js';

/**
 * Merges `override` over `base` with the per-path rules of compose-spec.md §2.9 and the
 * `!reset` / `!override` tags of §2.10. Returns a new model; positions are kept.
 */
export function mergeModels(_base: RawMap, _override: RawMap, _diags: DiagnosticBag): RawMap {
  throw new Error('not implemented: mergeModels');
}

/** The same rules for one service (used by `extends`). */
export function mergeServices(_base: RawMap, _override: RawMap, _diags: DiagnosticBag): RawMap {
  throw new Error('not implemented: mergeServices');
}
