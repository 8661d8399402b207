import type { ContainerDetails, Engine, ProgressEvent } from '../engine/engine.js';
import type { EventSink } from '../events/events.js';
import { DependencyGraph } from '../graph/dependency-graph.js';
import type { Project } from '../model/project.js';
import { buildSpec } from './build-spec.js';
import { assertCapabilities, requiredCapabilities } from './capabilities.js';
import { precreate, runContainerOp, type ContainerRuntime } from './execute-container.js';
import { createLimiter, type Limiter } from './limiter.js';
import { serviceImage } from './naming.js';
import type { ObservedState } from './observe.js';
import type { ContainerOperation, Operation, Plan } from './plan-types.js';
import { waitCondition } from './wait-conditions.js';

export interface ExecuteOptions {
  engine: Engine;
  events: EventSink;
  /** Most engine operations in flight; -1/0 = unlimited. */
  parallel: number;
  signal?: AbortSignal;
  /** Create containers but do not start them. */
  noStart: boolean;
  /** Stop timeout for replaced/removed containers. */
  timeoutSeconds?: number;
  quietPull?: boolean;
}

export interface ExecuteResult {
  /** Containers per service after the work (ids and names), by replica number. */
  services: Record<string, Array<{ id: string; name: string }>>;
  maxInFlight: number;
}

function timed<T>(events: EventSink, kind: 'network' | 'volume' | 'image', name: string, start: 'Creating' | 'Pulling' | 'Building' | 'Removing', end: 'Created' | 'Pulled' | 'Built' | 'Removed', fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  events({ type: 'resource', kind, name, status: start });
  return fn().then(
    (v) => {
      events({ type: 'resource', kind, name, status: end, elapsedMs: Date.now() - t0 });
      return v;
    },
    (err: unknown) => {
      events({ type: 'resource', kind, name, status: 'Error', detail: err instanceof Error ? err.message : String(err) });
      throw err;
    },
  );
}

async function resources(plan: Plan, project: Project, o: ExecuteOptions, limiter: Limiter): Promise<void> {
  const { engine, events } = o;
  const jobs: Array<Promise<unknown>> = [];
  for (const op of plan.operations) {
    if (op.kind === 'network' && op.spec !== undefined && (op.action === 'create' || op.action === 'recreate')) {
      const spec = op.spec;
      jobs.push(
        timed(events, 'network', op.name, 'Creating', 'Created', async () => {
          if (op.action === 'recreate') {
            // Attached containers are recreated by the plan; free the network first.
            for (const id of op.attached) {
              await limiter.run(() => engine.stopContainer(id, o.timeoutSeconds));
              await limiter.run(() => engine.disconnectNetwork(op.name, id, true));
            }
            await limiter.run(() => engine.removeNetwork(op.name));
          }
          return limiter.run(() => engine.createNetwork(spec));
        }),
      );
    } else if (op.kind === 'volume' && op.action === 'create' && op.spec !== undefined) {
      const spec = op.spec;
      jobs.push(timed(events, 'volume', op.name, 'Creating', 'Created', () => limiter.run(() => engine.createVolume(spec))));
    }
  }
  await settleAll(jobs);
}

async function images(plan: Plan, project: Project, o: ExecuteOptions, limiter: Limiter): Promise<void> {
  const { engine, events } = o;
  const onProgress = (e: ProgressEvent): void => {
    if (o.quietPull === true && e.kind === 'pull') return;
    if (e.kind === 'pull') events({ type: 'progress', kind: 'pull', name: e.image, detail: `${e.layer !== undefined ? `${e.layer} ` : ''}${e.status}`, ...(e.current !== undefined ? { current: e.current } : {}), ...(e.total !== undefined ? { total: e.total } : {}) });
    else events({ type: 'progress', kind: 'build', name: e.image, detail: e.kind === 'build' ? e.line : e.step });
  };
  const jobs = plan.operations
    .filter((op): op is Extract<Operation, { kind: 'image' }> => op.kind === 'image')
    .map((op) => {
      if (op.action === 'pull') {
        const platform = project.services[op.services[0] ?? '']?.platform;
        return timed(events, 'image', op.image, 'Pulling', 'Pulled', () => limiter.run(() => engine.pullImage(op.image, { onProgress, ...(platform !== undefined ? { platform } : {}), ...(o.signal !== undefined ? { signal: o.signal } : {}) })));
      }
      if (op.action === 'build') {
        const s = project.services[op.services[0] ?? ''];
        if (s === undefined) return Promise.resolve();
        const spec = buildSpec(project, s);
        return timed(events, 'image', op.image, 'Building', 'Built', () => limiter.run(() => engine.buildImage(spec, { onProgress, ...(o.signal !== undefined ? { signal: o.signal } : {}) })));
      }
      return Promise.resolve();
    });
  await settleAll(jobs);
}

/** Waits for every job, then rethrows the first failure (so no job is left running behind an error). */
async function settleAll(jobs: ReadonlyArray<Promise<unknown>>): Promise<void> {
  const results = await Promise.allSettled(jobs);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

/**
 * Carries out a plan: networks and volumes, then images, then each service's containers as
 * soon as its own dependencies' conditions hold. Makes no decisions beyond the plan's, except
 * recreating a container whose freshly pulled/built image differs (`recheckImage`).
 */
export async function execute(plan: Plan, project: Project, observed: ObservedState, o: ExecuteOptions): Promise<ExecuteResult> {
  const required = requiredCapabilities(plan, project);
  // Refused before anything changes; the round trip is saved when the plan relies on nothing an engine may lack.
  if (required.size > 0) assertCapabilities(required, await o.engine.info());
  const limiter = createLimiter(o.parallel, o.signal);
  const containerOps = plan.containers();
  // Orphans first (their names may be reused), then shared resources.
  const orphans = containerOps.filter((op) => project.services[op.service] === undefined);
  const rt: ContainerRuntime = {
    engine: o.engine,
    events: o.events,
    limiter,
    project,
    images: {},
    running: new Map(),
    noStart: o.noStart,
    ...(o.timeoutSeconds !== undefined ? { timeoutSeconds: o.timeoutSeconds } : {}),
  };
  await settleAll(orphans.map((op) => runContainerOp(rt, op)));
  await resources(plan, project, o, limiter);
  await images(plan, project, o, limiter);
  const refs = new Set(Object.values(project.services).map((s) => serviceImage(project.name, s)));
  await Promise.all([...refs].map(async (ref) => void (rt.images[ref] = (await limiter.run(() => o.engine.inspectImage(ref))) ?? observed.images[ref])));

  const byService = new Map<string, ContainerOperation[]>();
  for (const op of containerOps) {
    if (project.services[op.service] === undefined) continue;
    byService.set(op.service, [...(byService.get(op.service) ?? []), op].sort((a, b) => a.number - b.number));
  }
  for (const [svc, ops] of byService) {
    const live = ops.filter((op) => op.action !== 'remove' && op.existing !== undefined).map((op) => op.existing!);
    rt.running.set(svc, live.map((c: ContainerDetails) => ({ id: c.id, name: c.name })));
  }
  rt.precreated = precreate(rt, [...byService.values()].flat());
  const selected = Object.fromEntries([...byService.keys()].map((n) => [n, project.services[n]!]));
  const graph = DependencyGraph.fromServices(selected);
  await graph.walk(
    'up',
    async (svc) => {
      const s = project.services[svc]!;
      if (!o.noStart) {
        await Promise.all(
          Object.entries(s.depends_on ?? {})
            .filter(([dep]) => byService.has(dep))
            .map(([dep, cond]) => waitCondition(o.engine, limiter, o.events, svc, dep, cond, rt.running.get(dep) ?? [], o.signal)),
        );
      }
      // Dependents with `restart: true` are stopped before this service is recreated.
      const dependents = containerOps.filter((op) => op.stopBefore === svc && op.existing !== undefined);
      await settleAll(dependents.map((op) => stopAround(rt, op)));
      const results = await Promise.allSettled((byService.get(svc) ?? []).map((op) => runContainerOp(rt, op)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      rt.running.set(
        svc,
        results.flatMap((r) => (r.status === 'fulfilled' && r.value !== undefined ? [r.value] : [])),
      );
    },
    { concurrency: 0, ...(o.signal !== undefined ? { signal: o.signal } : {}) },
  );
  return { services: Object.fromEntries(rt.running), maxInFlight: limiter.maxInFlight };
}

async function stopAround(rt: ContainerRuntime, op: ContainerOperation): Promise<void> {
  const c = op.existing!;
  const t0 = Date.now();
  rt.events({ type: 'resource', kind: 'container', name: c.name, status: 'Stopping', detail: op.cause });
  await rt.limiter.run(() => rt.engine.stopContainer(c.id, rt.timeoutSeconds));
  rt.events({ type: 'resource', kind: 'container', name: c.name, status: 'Stopped', elapsedMs: Date.now() - t0 });
}

