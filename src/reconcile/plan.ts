import type { ContainerDetails } from '../engine/engine.js';
import { DependencyGraph } from '../graph/dependency-graph.js';
import { serviceConfigHash } from '../model/config-hash.js';
import { LABEL, ONEOFF_TRUE } from '../model/labels.js';
import type { Project, ServiceConfig } from '../model/project.js';
import type { ObservedState } from './observe.js';
import { containerName, networkName, serviceImage, volumeName } from './naming.js';
import { planImages, planNetworks, planVolumes, usedNetworks, usedVolumes, type ImagePolicyOptions } from './plan-resources.js';
import { Plan, type ContainerOperation, type Operation, type RecreatePolicy } from './plan-types.js';

export { Plan, PlanError } from './plan-types.js';
export type { ContainerAction, ContainerOperation, Operation, RecreatePolicy } from './plan-types.js';

export interface PlanUpOptions extends ImagePolicyOptions {
  /** Services named on the command line (empty: all enabled services). */
  services: string[];
  /** Do not include the named services' dependencies. */
  noDeps: boolean;
  /** For the named services (`--force-recreate`, `--no-recreate`; `-V` implies force). */
  recreate: RecreatePolicy;
  /** For their dependencies (`--always-recreate-deps`). */
  recreateDependencies: RecreatePolicy;
  /** `-V`: new anonymous volumes instead of inheriting them. */
  renewAnonVolumes: boolean;
  removeOrphans: boolean;
  /** `COMPOSE_IGNORE_ORPHANS`: no orphan warning. */
  ignoreOrphans?: boolean;
  /** `--scale svc=n`. */
  scale: Record<string, number>;
}

const NAMESPACE_FIELDS = ['network_mode', 'ipc', 'pid'] as const;

export function orphanWarning(names: readonly string[]): string {
  return `Found orphan containers (${names.join(', ')}) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`;
}

/** The services `up` works on: the named ones and (unless --no-deps) their dependencies, in dependency order. */
export function selectServices(project: Project, names: readonly string[], noDeps: boolean): string[] {
  const graph = DependencyGraph.fromServices(project.services);
  const selected = new Set(names.length === 0 ? Object.keys(project.services) : noDeps ? names : graph.withDependencies(names));
  return graph.topologicalOrder().filter((n) => selected.has(n));
}

export function replicaCount(s: ServiceConfig, scale: Record<string, number>): number {
  return scale[s.name] ?? s.scale ?? s.deploy?.replicas ?? 1;
}

export function serviceContainers(observed: ObservedState, service: string): ContainerDetails[] {
  return observed.containers
    .filter((c) => c.labels[LABEL.service] === service && c.labels[LABEL.oneoff] !== ONEOFF_TRUE)
    .sort((a, b) => containerNumber(a) - containerNumber(b));
}

export function containerNumber(c: ContainerDetails): number {
  return Number(c.labels[LABEL.containerNumber] ?? '0');
}

interface Divergence {
  recreatedNetworks: ReadonlySet<string>;
  createdVolumes: ReadonlySet<string>;
  recreatedServices: ReadonlySet<string>;
}

/** Why a container no longer matches its service (§4.4), or undefined when it does. */
function divergence(project: Project, s: ServiceConfig, c: ContainerDetails, observed: ObservedState, d: Divergence, imageOp: boolean): string | undefined {
  for (const f of NAMESPACE_FIELDS) {
    const v = s[f];
    if (typeof v === 'string' && v.startsWith('service:') && d.recreatedServices.has(v.slice(8))) return `${f} service ${v.slice(8)} recreated`;
  }
  for (const v of s.volumes_from ?? []) {
    const svc = v.split(':')[0] ?? '';
    if (!v.startsWith('container:') && d.recreatedServices.has(svc)) return `volumes_from service ${svc} recreated`;
  }
  if (c.labels[LABEL.configHash] !== serviceConfigHash(s)) return 'config hash changed';
  const image = observed.images[serviceImage(project.name, s)];
  if (!imageOp && image !== undefined && c.labels[LABEL.image] !== undefined && c.labels[LABEL.image] !== image.id) return 'image changed';
  if (s.network_mode === undefined) {
    for (const key of Object.keys(s.networks ?? {}).sort()) {
      const name = networkName(project, key);
      if (d.recreatedNetworks.has(name)) return `network ${name} recreated`;
      if (c.state === 'running' && !(name in c.networkSettings)) return `not connected to network ${name}`;
    }
  }
  for (const v of s.volumes ?? []) {
    if (v.type !== 'volume' || v.source === undefined || v.source === '') continue;
    const name = volumeName(project, v.source);
    if (d.createdVolumes.has(name) || !c.mounts.some((m) => m.type === 'volume' && m.name === name)) return `volume ${name} missing`;
  }
  return undefined;
}

function stateAction(c: ContainerDetails): { action: 'keep' | 'start'; cause: string } {
  switch (c.state) {
    case 'running':
    case 'restarting':
      return { action: 'keep', cause: 'up to date' };
    case 'created':
      return { action: 'start', cause: 'created' };
    case 'exited':
      // A one-shot that ran is not rerun by `up` (compose-spec.md §4.4).
      return { action: 'keep', cause: 'up to date, exited' };
    case 'paused':
      return { action: 'start', cause: 'paused' };
    case 'dead':
    case 'removing':
      return { action: 'start', cause: c.state };
  }
}

/** PURE: what `up` must do to converge `observed` to `project` (compose-spec.md §4). */
export function planUp(project: Project, observed: ObservedState, opts: PlanUpOptions): Plan {
  const warnings: string[] = [];
  const order = selectServices(project, opts.services, opts.noDeps);
  const targeted = new Set(opts.services.length === 0 ? order : opts.services);
  const services = order.map((n) => project.services[n]!);
  const ops: Operation[] = [
    ...planNetworks(project, observed, usedNetworks(services), warnings),
    ...planVolumes(project, observed, usedVolumes(services), warnings),
  ];
  const images = planImages(project, observed, services, opts);
  ops.push(...images);
  const withImageOp = new Set(images.flatMap((o) => (o.kind === 'image' ? o.services : [])));
  const d = {
    recreatedNetworks: new Set(ops.flatMap((o) => (o.kind === 'network' && o.action === 'recreate' ? [o.name] : []))),
    createdVolumes: new Set(ops.flatMap((o) => (o.kind === 'volume' && o.action === 'create' ? [o.name] : []))),
    recreatedServices: new Set<string>(),
  };
  const byService = new Map<string, ContainerOperation[]>();
  for (const s of services) {
    const policy = targeted.has(s.name) ? opts.recreate : opts.recreateDependencies;
    const renew = opts.renewAnonVolumes && targeted.has(s.name);
    const existing = serviceContainers(observed, s.name);
    const replicas = replicaCount(s, opts.scale);
    const why = new Map(existing.map((c) => [c, divergence(project, s, c, observed, d, withImageOp.has(s.name))]));
    // Scale down: obsolete containers first, then the highest numbers.
    const removalOrder = [...existing].sort((a, b) => Number(why.get(b) !== undefined) - Number(why.get(a) !== undefined) || containerNumber(b) - containerNumber(a));
    const removed = new Set(removalOrder.slice(0, Math.max(0, existing.length - replicas)));
    const list: ContainerOperation[] = [];
    const base = { kind: 'container' as const, service: s.name, recheckImage: false, renewAnonVolumes: renew };
    for (const c of existing) {
      const number = containerNumber(c);
      if (removed.has(c)) {
        list.push({ ...base, number, name: c.name, action: 'remove', cause: 'scale down', existing: c });
        continue;
      }
      const cause = policy === 'force' ? (renew ? 'renew anonymous volumes' : 'forced') : policy === 'never' ? undefined : why.get(c);
      if (cause !== undefined) {
        list.push({ ...base, number, name: containerName(project.name, s, number), action: 'recreate', cause, existing: c });
      } else {
        const st = stateAction(c);
        const recheck = withImageOp.has(s.name) && policy === 'diverged';
        list.push({ ...base, number, name: c.name, action: st.action, cause: policy === 'never' && st.action === 'keep' ? 'no recreate' : st.cause, existing: c, recheckImage: recheck });
      }
    }
    let next = Math.max(0, ...existing.filter((c) => !removed.has(c)).map(containerNumber));
    const kept = existing.length - removed.size;
    for (let i = kept; i < replicas; i++) {
      next++;
      list.push({ ...base, number: next, name: containerName(project.name, s, next), action: 'create', cause: 'missing' });
    }
    if (list.some((o) => o.action === 'recreate')) d.recreatedServices.add(s.name);
    byService.set(s.name, list);
  }
  // Dependents with `restart: true` are stopped around their dependency's recreate.
  for (const s of services) {
    for (const [dep, cond] of Object.entries(s.depends_on ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (cond.restart !== true || !d.recreatedServices.has(dep)) continue;
      for (const op of byService.get(s.name) ?? []) {
        if (op.action === 'keep' && op.existing?.state === 'running') Object.assign(op, { action: 'restart', cause: `dependency ${dep} recreated`, stopBefore: dep });
      }
    }
  }
  for (const list of byService.values()) ops.push(...list);
  ops.push(...planOrphans(project, observed, opts, warnings));
  return new Plan(project.name, ops, warnings);
}

function planOrphans(project: Project, observed: ObservedState, opts: PlanUpOptions, warnings: string[]): Operation[] {
  const known = new Set([...Object.keys(project.services), ...Object.keys(project.disabledServices)]);
  const orphans = observed.containers.filter((c) => c.labels[LABEL.oneoff] !== ONEOFF_TRUE && !known.has(c.labels[LABEL.service] ?? ''));
  if (orphans.length === 0) return [];
  if (!opts.removeOrphans) {
    if (opts.ignoreOrphans !== true) warnings.push(orphanWarning(orphans.map((c) => c.name)));
    return [];
  }
  return orphans.map((c) => ({
    kind: 'container',
    service: c.labels[LABEL.service] ?? '',
    number: containerNumber(c),
    name: c.name,
    action: 'remove',
    cause: 'orphan',
    existing: c,
    recheckImage: false,
    renewAnonVolumes: false,
  }));
}
