import type { DiagnosticBag } from '../errors/diagnostic.js';
import type { RawMap } from './raw.js';

/**
 * The semantic checks of compose-spec.md §2.16 on the canonical model (after profiles),
 * including dependency cycles. `disabled` holds services disabled by profiles.
 */
export function checkConsistency(_model: RawMap, _disabled: RawMap, _diags: DiagnosticBag): void {
  throw new Error('not implemented: checkConsistency');
}
