import type { DiagnosticBag } from '../errors/diagnostic.js';
import type { RawMap, RawValue } from './raw.js';
import { copyEntryMeta, isRawMap } from './raw.js';

export interface ProfileSelection {
  /** Profiles active after enabling those of the services named on the command line. */
  active: string[];
  /** Services moved out of `model.services` because no profile of theirs is active. */
  disabled: RawMap;
}

/** The `profiles` of a raw service; an absent or empty list means "always enabled". */
export function serviceProfiles(service: RawValue | undefined): string[] {
  if (!isRawMap(service) || !Array.isArray(service['profiles'])) return [];
  return service['profiles'].filter((p): p is string => typeof p === 'string');
}

function isEnabled(service: RawValue | undefined, active: ReadonlySet<string>): boolean {
  const profiles = serviceProfiles(service);
  return profiles.length === 0 || active.has('*') || profiles.some((p) => active.has(p));
}

/**
 * Applies profiles (compose-spec.md §2.13) to the canonical model in place: services whose
 * profiles are not active move to `disabled`. Services named in `selected` are enabled and
 * their profiles activated (which enables every service of those profiles too, as
 * `WithServicesEnabled` does). `*` activates every profile.
 *
 * Dependencies of a selected service are NOT enabled implicitly: like docker compose, a
 * required `depends_on` on a service that stays disabled is reported by the consistency
 * check (`service "x" is required by "y" but is disabled. …`).
 */
export function applyProfiles(model: RawMap, active: readonly string[], selected: readonly string[], diags: DiagnosticBag): ProfileSelection {
  const services = isRawMap(model['services']) ? model['services'] : {};
  const profiles = new Set(active.filter((p) => p !== ''));
  const initiallyActive = new Set(profiles);
  const reported = new Set<string>();
  for (const name of selected) {
    if (!Object.prototype.hasOwnProperty.call(services, name)) {
      if (!reported.has(name)) diags.error('profiles', `no such service: ${name}`);
      reported.add(name);
      continue;
    }
    const service = services[name];
    // A service already enabled by the active profiles activates nothing more.
    if (isEnabled(service, initiallyActive)) continue;
    for (const p of serviceProfiles(service)) profiles.add(p);
  }

  const disabled: RawMap = {};
  for (const name of Object.keys(services).sort()) {
    if (isEnabled(services[name], profiles)) continue;
    disabled[name] = services[name]!;
    copyEntryMeta(services, name, disabled, name);
    delete services[name];
  }
  return { active: [...profiles].sort(), disabled };
}
