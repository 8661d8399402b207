import type { DiagnosticBag } from '../errors/diagnostic.js';
import type { RawMap } from './raw.js';

export interface ProfileSelection {
  /** Profiles active after enabling those of the services named on the command line. */
  active: string[];
  /** Services moved out of `model.services` because no profile of theirs is active. */
  disabled: RawMap;
}

/**
 * Applies profiles (compose-spec.md §2.13) to the canonical model in place: services whose
 * profiles are not active move to `disabled`. Services named in `selected` are enabled and
 * their profiles activated. `*` activates every profile.
 */
export function applyProfiles(_model: RawMap, _active: readonly string[], _selected: readonly string[], _diags: DiagnosticBag): ProfileSelection {
  throw new Error('not implemented: applyProfiles');
}
