import { createHash } from 'node:crypto';
import type { NetworkConfig, ServiceConfig, VolumeConfig } from './project.js';

/**
 * Service attributes that never cause a recreate (compose-spec.md §4.3): scaling, ordering,
 * profiles, pull and build settings only matter when an image is built or pulled.
 */
const SERVICE_EXCLUDED = new Set(['name', 'build', 'pull_policy', 'scale', 'depends_on', 'profiles']);

/**
 * Attributes whose children are user data (variable names, label keys, network names…), so an
 * `x-` key below them is data and not an extension.
 */
const FREE_FORM = new Set([
  'environment',
  'labels',
  'annotations',
  'sysctls',
  'extra_hosts',
  'driver_opts',
  'options',
  'args',
  'additional_contexts',
  'ssh',
  'ulimits',
  'networks',
  'storage_opt',
  'aux_addresses',
]);

/**
 * Deterministic JSON: object keys sorted recursively, `undefined` properties dropped (as
 * `JSON.stringify` does), array order kept.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}

/** Drops `x-*` extension keys at every level except inside free-form maps. */
function withoutExtensions(value: unknown, freeForm = false): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutExtensions(v));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!freeForm && k.startsWith('x-')) continue;
    // The values of a free-form map are structured again (e.g. `networks.<n>.aliases`).
    out[k] = freeForm ? withoutExtensions(v) : withoutExtensions(v, FREE_FORM.has(k));
  }
  return out;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The service part of the config hash, before extensions are removed. Exported for tests/debugging. */
export function hashableService(service: ServiceConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(service)) {
    if (SERVICE_EXCLUDED.has(k) || k.startsWith('x-')) continue;
    out[k] = v;
  }
  if (service.deploy !== undefined) {
    const { replicas: _replicas, ...deploy } = service.deploy;
    if (Object.values(deploy).some((v) => v !== undefined)) out['deploy'] = deploy;
    else delete out['deploy'];
  }
  return withoutExtensions(out) as Record<string, unknown>;
}

/**
 * `com.docker.compose.config-hash` of a service: sha256 (hex) of its canonical JSON without
 * `build`, `pull_policy`, `scale`, `deploy.replicas`, `depends_on`, `profiles`, `name` and
 * `x-*` extensions. Not byte-compatible with docker compose's Go serialization (§4.3), but
 * stable and excluding the same fields.
 */
export function serviceConfigHash(service: ServiceConfig): string {
  return sha256(canonicalJson(hashableService(service)));
}

/** Config hash of a network definition (extensions excluded). */
export function networkConfigHash(network: NetworkConfig): string {
  return sha256(canonicalJson(withoutExtensions(network)));
}

/** Config hash of a volume definition; an absent driver counts as `local`. */
export function volumeConfigHash(volume: VolumeConfig): string {
  return sha256(canonicalJson(withoutExtensions({ ...volume, driver: volume.driver ?? 'local' })));
}
