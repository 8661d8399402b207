import type { ImageInfo, NetworkSpec, VolumeSpec } from '../engine/engine.js';
import { networkConfigHash, volumeConfigHash } from '../model/config-hash.js';
import { durationMs } from '../model/duration.js';
import { LABEL } from '../model/labels.js';
import type { NetworkConfig, Project, ServiceConfig, VolumeConfig } from '../model/project.js';
import { BERTH_VERSION } from '../version.js';
import type { ObservedState } from './observe.js';
import { serviceImage } from './naming.js';
import { PlanError, type Operation } from './plan-types.js';

export function networkSpec(project: Project, key: string, n: NetworkConfig): NetworkSpec {
  const spec: NetworkSpec = {
    name: n.name,
    labels: { ...(n.labels ?? {}), [LABEL.project]: project.name, [LABEL.network]: key, [LABEL.version]: BERTH_VERSION, [LABEL.configHash]: networkConfigHash(n) },
    internal: n.internal === true,
    attachable: n.attachable === true,
    enableIpv6: n.enable_ipv6 === true,
  };
  if (n.driver !== undefined) spec.driver = n.driver;
  if (n.driver_opts !== undefined) spec.driverOpts = n.driver_opts;
  if (n.enable_ipv4 !== undefined) spec.enableIpv4 = n.enable_ipv4;
  if (n.ipam !== undefined) {
    spec.ipam = {
      config: (n.ipam.config ?? []).map((c) => ({
        ...(c.subnet !== undefined ? { subnet: c.subnet } : {}),
        ...(c.ip_range !== undefined ? { ipRange: c.ip_range } : {}),
        ...(c.gateway !== undefined ? { gateway: c.gateway } : {}),
        ...(c.aux_addresses !== undefined ? { auxAddresses: c.aux_addresses } : {}),
      })),
      ...(n.ipam.driver !== undefined ? { driver: n.ipam.driver } : {}),
      ...(n.ipam.options !== undefined ? { options: n.ipam.options } : {}),
    };
  }
  return spec;
}

export function volumeSpec(project: Project, key: string, v: VolumeConfig): VolumeSpec {
  const spec: VolumeSpec = {
    name: v.name,
    labels: { ...(v.labels ?? {}), [LABEL.project]: project.name, [LABEL.volume]: key, [LABEL.version]: BERTH_VERSION, [LABEL.configHash]: volumeConfigHash(v) },
  };
  if (v.driver !== undefined) spec.driver = v.driver;
  if (v.driver_opts !== undefined) spec.driverOpts = v.driver_opts;
  return spec;
}

/** Network keys the services use (default network included when attached). */
export function usedNetworks(services: readonly ServiceConfig[]): string[] {
  return [...new Set(services.flatMap((s) => (s.network_mode === undefined ? Object.keys(s.networks ?? {}) : [])))].sort();
}

export function usedVolumes(services: readonly ServiceConfig[]): string[] {
  return [...new Set(services.flatMap((s) => (s.volumes ?? []).filter((v) => v.type === 'volume' && v.source !== undefined && v.source !== '').map((v) => v.source!)))].sort();
}

export function planNetworks(project: Project, observed: ObservedState, keys: readonly string[], warnings: string[]): Operation[] {
  const ops: Operation[] = [];
  for (const key of keys) {
    const n = project.networks[key];
    if (n === undefined) continue;
    const found = observed.networks[n.name];
    if (n.external === true) {
      if (found === undefined) throw new PlanError(`network ${n.name} declared as external, but could not be found`);
      ops.push({ kind: 'network', key, name: n.name, action: 'keep', cause: 'external', attached: [] });
      continue;
    }
    const spec = networkSpec(project, key, n);
    if (found === undefined) {
      ops.push({ kind: 'network', key, name: n.name, action: 'create', cause: 'missing', spec, attached: [] });
    } else if (found.labels[LABEL.project] !== project.name) {
      warnings.push(`a network with name ${n.name} exists but was not created by compose.\nSet \`external: true\` to use an existing network`);
      ops.push({ kind: 'network', key, name: n.name, action: 'keep', cause: 'not created by compose', attached: [] });
    } else {
      const hash = found.labels[LABEL.configHash];
      if (hash !== undefined && hash !== spec.labels[LABEL.configHash]) {
        ops.push({ kind: 'network', key, name: n.name, action: 'recreate', cause: 'config hash changed', spec, attached: [...found.containers].sort() });
      } else {
        ops.push({ kind: 'network', key, name: n.name, action: 'keep', cause: 'up to date', attached: [] });
      }
    }
  }
  return ops;
}

export function planVolumes(project: Project, observed: ObservedState, keys: readonly string[], warnings: string[]): Operation[] {
  const ops: Operation[] = [];
  for (const key of keys) {
    const v = project.volumes[key];
    if (v === undefined) continue;
    const found = observed.volumes[v.name];
    if (v.external === true) {
      if (found === undefined) throw new PlanError(`external volume "${v.name}" not found`);
      ops.push({ kind: 'volume', key, name: v.name, action: 'keep', cause: 'external' });
      continue;
    }
    const spec = volumeSpec(project, key, v);
    if (found === undefined) {
      ops.push({ kind: 'volume', key, name: v.name, action: 'create', cause: 'missing', spec });
      continue;
    }
    if (found.labels[LABEL.project] !== project.name) {
      warnings.push(`volume "${v.name}" already exists but was not created by Docker Compose. Use \`external: true\` to use an existing volume`);
    } else {
      const hash = found.labels[LABEL.configHash];
      // Recreating a volume loses data; docker compose asks first. berth keeps it and says so.
      if (hash !== undefined && hash !== spec.labels[LABEL.configHash]) warnings.push(`Volume "${v.name}" exists but doesn't match configuration in compose file. Remove it to recreate it (data will be lost).`);
    }
    ops.push({ kind: 'volume', key, name: v.name, action: 'keep', cause: 'up to date' });
  }
  return ops;
}

export interface ImagePolicyOptions {
  /** `--build`: always build; `--no-build`: never; otherwise per pull_policy / missing image. */
  build: 'policy' | 'always' | 'never';
  /** `--pull`: overrides every service's pull_policy. */
  pull?: 'always' | 'missing' | 'never' | 'build';
  /** Now, ms since the epoch (for daily/weekly/every_<d> policies). */
  now: number;
}

type ImageDecision = { action: 'pull' | 'build'; cause: string } | undefined;

function stale(info: ImageInfo, policy: string, now: number): boolean {
  const period = policy === 'daily' ? 86_400_000 : policy === 'weekly' ? 7 * 86_400_000 : durationMs(policy.slice('every_'.length));
  return now - info.created * 1000 > period;
}

/** Whether a service's image must be pulled or built now (compose pull_policy semantics). */
export function imageDecision(s: ServiceConfig, info: ImageInfo | undefined, opts: ImagePolicyOptions): ImageDecision {
  const canBuild = s.build !== undefined && opts.build !== 'never';
  if (s.build !== undefined && opts.build === 'always') return { action: 'build', cause: '--build' };
  const policy = opts.pull ?? s.pull_policy ?? 'missing';
  const missing = (): ImageDecision => {
    if (info !== undefined) return undefined;
    if (canBuild) return { action: 'build', cause: 'image not present' };
    if (s.image !== undefined) return { action: 'pull', cause: 'image not present' };
    throw new PlanError(`service "${s.name}" has neither an image nor a build context specified: image not present and building is disabled`);
  };
  switch (policy) {
    case 'always':
      if (s.image === undefined) return missing();
      return { action: 'pull', cause: 'pull_policy always' };
    case 'never':
      if (info === undefined && !canBuild) throw new PlanError(`service "${s.name}": image ${s.image ?? s.name} not present and pull_policy is never`);
      return missing();
    case 'build':
      if (canBuild) return { action: 'build', cause: 'pull_policy build' };
      return missing();
    default:
      if (info !== undefined && (policy === 'daily' || policy === 'weekly' || policy.startsWith('every_')) && s.image !== undefined && stale(info, policy, opts.now)) {
        return { action: 'pull', cause: `pull_policy ${policy}, image outdated` };
      }
      return missing();
  }
}

export function planImages(project: Project, observed: ObservedState, services: readonly ServiceConfig[], opts: ImagePolicyOptions): Operation[] {
  const byRef = new Map<string, { action: 'pull' | 'build'; cause: string; services: string[] }>();
  for (const s of services) {
    const ref = serviceImage(project.name, s);
    const d = imageDecision(s, observed.images[ref], opts);
    if (d === undefined) continue;
    const prev = byRef.get(ref);
    if (prev === undefined) byRef.set(ref, { ...d, services: [s.name] });
    else {
      prev.services.push(s.name);
      // A build wins over a pull of the same reference.
      if (d.action === 'build') Object.assign(prev, { action: d.action, cause: d.cause });
    }
  }
  return [...byRef.entries()].map(([image, d]) => ({ kind: 'image', image, services: d.services.sort(), action: d.action, cause: d.cause }));
}
