import { removeContainerWithVolumes } from './remove-container.js';
import type { ContainerSpec, Engine, ImageInfo } from '../engine/engine.js';
import type { EventSink, ResourceStatus } from '../events/events.js';
import { LABEL } from '../model/labels.js';
import type { Project, ServiceConfig } from '../model/project.js';
import { buildContainerSpec, type FileCopy } from './container-spec.js';
import type { Limiter } from './limiter.js';
import { serviceImage, temporaryName } from './naming.js';
import type { ContainerOperation } from './plan-types.js';
import { copiesArchive } from './spec-mounts.js';

/** Shared state of one `execute` run. */
export interface ContainerRuntime {
  engine: Engine;
  events: EventSink;
  limiter: Limiter;
  project: Project;
  /** Image info by reference, after pulls and builds. */
  images: Record<string, ImageInfo | undefined>;
  /** Containers of each service visited so far (for `service:x` references). */
  running: Map<string, Array<{ id: string; name: string }>>;
  noStart: boolean;
  timeoutSeconds?: number;
  /** Containers created ahead of their dependencies (see `precreate`), by operation. */
  precreated?: Map<ContainerOperation, Promise<Ref>>;
}

type Ref = { id: string; name: string };

function emit(rt: ContainerRuntime, name: string, status: ResourceStatus, extra: { detail?: string; elapsedMs?: number } = {}): void {
  rt.events({ type: 'resource', kind: 'container', name, status, ...extra });
}

async function step<T>(rt: ContainerRuntime, name: string, start: ResourceStatus, end: ResourceStatus, fn: () => Promise<T>, detail?: string): Promise<T> {
  const t0 = Date.now();
  emit(rt, name, start, detail !== undefined ? { detail } : {});
  try {
    const v = await fn();
    emit(rt, name, end, { elapsedMs: Date.now() - t0 });
    return v;
  } catch (err) {
    emit(rt, name, 'Error', { detail: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}

function specFor(rt: ContainerRuntime, op: ContainerOperation, replaces: boolean): { spec: ContainerSpec; copies: FileCopy[] } {
  const s = rt.project.services[op.service]!;
  const image = rt.images[serviceImage(rt.project.name, s)];
  const old = op.existing;
  return buildContainerSpec({
    project: rt.project,
    service: s,
    number: op.number,
    ...(image !== undefined ? { imageId: image.id } : {}),
    serviceContainer: (svc) => rt.running.get(svc)?.[0],
    ...(replaces && old !== undefined
      ? { replaces: { name: old.labels[LABEL.containerNumber] !== undefined && s.container_name === undefined ? `${s.name}-${old.labels[LABEL.containerNumber]}` : old.name, mounts: op.renewAnonVolumes ? [] : old.mounts } }
      : {}),
  });
}

async function createFrom(rt: ContainerRuntime, spec: ContainerSpec, copies: readonly FileCopy[]): Promise<string> {
  const { engine, limiter } = rt;
  const id = await limiter.run(() => engine.createContainer(spec));
  for (const extra of spec.networks.slice(1)) await limiter.run(() => engine.connectNetwork(extra.network, id, extra));
  if (copies.length > 0) {
    await limiter.run(() => engine.copyTo(id, '/', copiesArchive(copies)));
  }
  return id;
}

async function start(rt: ContainerRuntime, ref: Ref): Promise<void> {
  await step(rt, ref.name, 'Starting', 'Started', () => rt.limiter.run(() => rt.engine.startContainer(ref.id)));
}

async function recreate(rt: ContainerRuntime, op: ContainerOperation, cause: string): Promise<Ref> {
  const old = op.existing!;
  const { engine, limiter } = rt;
  return step(
    rt,
    op.name,
    'Recreate',
    'Recreated',
    async () => {
      const { spec, copies } = specFor(rt, op, true);
      spec.name = temporaryName(old.id, op.name);
      const id = await createFrom(rt, spec, copies);
      if (old.state === 'running' || old.state === 'paused' || old.state === 'restarting') await limiter.run(() => engine.stopContainer(old.id, rt.timeoutSeconds));
      await removeContainerWithVolumes(engine, limiter, old.id, op.renewAnonVolumes);
      await limiter.run(() => engine.renameContainer(id, op.name));
      return { id, name: op.name };
    },
    cause,
  );
}

/** Carries out one container operation; resolves with the container that remains (if any). */
function createOnly(rt: ContainerRuntime, op: ContainerOperation): Promise<Ref> {
  return step(rt, op.name, 'Creating', 'Created', async () => {
    const { spec, copies } = specFor(rt, op, false);
    return { id: await createFrom(rt, spec, copies), name: op.name };
  });
}

/** A service whose container spec names other services' containers must wait for them to exist. */
function refersToContainers(s: ServiceConfig): boolean {
  const viaService = (v: string | undefined): boolean => v?.startsWith('service:') === true;
  return viaService(s.network_mode) || viaService(s.ipc) || viaService(s.pid)
    || (s.links ?? []).length > 0 || (s.volumes_from ?? []).some((v) => !v.startsWith('container:'));
}

/**
 * Starts creating new containers at once, without waiting for their dependencies (as Compose
 * creates all containers before starting them): only the starts wait. Services that refer to
 * other services' containers are created in turn.
 */
export function precreate(rt: ContainerRuntime, ops: readonly ContainerOperation[]): Map<ContainerOperation, Promise<Ref>> {
  const out = new Map<ContainerOperation, Promise<Ref>>();
  // Services that start first are created first: their starts overlap the other creates.
  const depth = new Map<string, number>();
  const depthOf = (name: string, seen: ReadonlySet<string> = new Set()): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const deps = Object.keys(rt.project.services[name]?.depends_on ?? {}).filter((d) => !seen.has(d));
    const d = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((x) => depthOf(x, new Set([...seen, name]))));
    depth.set(name, d);
    return d;
  };
  // One dependency level after the other: the first services' containers are ready to start
  // as early as possible, and the deeper levels are created while those start.
  let previous: Promise<unknown> = Promise.resolve();
  const levels = new Map<number, ContainerOperation[]>();
  for (const op of ops) {
    const s = rt.project.services[op.service];
    if (op.action !== 'create' || s === undefined || refersToContainers(s)) continue;
    const d = depthOf(op.service);
    levels.set(d, [...(levels.get(d) ?? []), op]);
  }
  for (const d of [...levels.keys()].sort((a, b) => a - b)) {
    const after = previous;
    const level = levels.get(d)!.map((op) => after.then(() => createOnly(rt, op)));
    previous = Promise.allSettled(level);
    for (const [i, op] of levels.get(d)!.entries()) {
      // Containers that wait for dependencies are set up for their start meanwhile (when the
      // engine can), independently of the other levels: each start then only runs the process.
      const created = level[i]!;
      const p = d > 0 && !rt.noStart ? created.then((ref) => prepare(rt, ref)) : created;
      // Awaited when the service's turn comes; a failure before that must not go unhandled.
      p.catch(() => undefined);
      out.set(op, p);
    }
  }
  return out;
}

/** Engine.prepareContainer when the engine has it; a failure is left for the start to report. */
async function prepare(rt: ContainerRuntime, ref: Ref): Promise<Ref> {
  const { engine } = rt;
  if (engine.prepareContainer === undefined) return ref;
  await rt.limiter.run(() => engine.prepareContainer!(ref.id)).catch(() => undefined);
  return ref;
}

export async function runContainerOp(rt: ContainerRuntime, op: ContainerOperation): Promise<Ref | undefined> {
  const { engine, limiter } = rt;
  const existing = op.existing;
  let action = op.action;
  let cause = op.cause;
  if (op.recheckImage && existing !== undefined && (action === 'keep' || action === 'start')) {
    const image = rt.images[serviceImage(rt.project.name, rt.project.services[op.service]!)];
    if (image !== undefined && existing.labels[LABEL.image] !== image.id) {
      action = 'recreate';
      cause = 'image changed';
    }
  }
  switch (action) {
    case 'remove': {
      const c = existing!;
      if (c.state === 'running' || c.state === 'paused' || c.state === 'restarting') {
        await step(rt, c.name, 'Stopping', 'Stopped', () => limiter.run(() => engine.stopContainer(c.id, rt.timeoutSeconds)));
      }
      await step(rt, c.name, 'Removing', 'Removed', () => limiter.run(() => engine.removeContainer(c.id, { force: true, volumes: false })));
      return undefined;
    }
    case 'keep': {
      const ref = { id: existing!.id, name: existing!.name };
      emit(rt, ref.name, existing!.state === 'running' ? 'Running' : existing!.state === 'exited' ? 'Exited' : 'Created');
      return ref;
    }
    case 'start':
    case 'restart': {
      const c = existing!;
      const ref = { id: c.id, name: c.name };
      if (rt.noStart) return ref;
      if (c.state === 'paused') await step(rt, c.name, 'Unpausing', 'Unpaused', () => limiter.run(() => engine.unpauseContainer(c.id)));
      else await start(rt, ref);
      return ref;
    }
    case 'create': {
      const ref = await (rt.precreated?.get(op) ?? createOnly(rt, op));
      if (!rt.noStart) await start(rt, ref);
      return ref;
    }
    case 'recreate': {
      const ref = await recreate(rt, op, cause);
      if (!rt.noStart) await start(rt, ref);
      return ref;
    }
  }
}
