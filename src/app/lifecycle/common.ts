import { CommandError } from '../../errors/diagnostic.js';
import type { ContainerSummary, Engine } from '../../engine/engine.js';
import type { EventSink, ResourceStatus } from '../../events/events.js';
import { DependencyGraph } from '../../graph/dependency-graph.js';
import { LABEL, ONEOFF_FALSE } from '../../model/labels.js';
import type { Project } from '../../model/project.js';
import { createLimiter, type Limiter } from '../../reconcile/limiter.js';
import type { NamedProjectContext } from '../context.js';

export { createLimiter, type Limiter };

/** A use case could not do what was asked (the CLI prints the message and exits 1). */
export class LifecycleError extends CommandError {
  constructor(message: string) {
    super(message);
    this.name = 'LifecycleError';
  }
}

export function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The project's containers, from labels; one-offs only when asked. */
export async function projectContainers(engine: Engine, projectName: string, opts: { services?: readonly string[]; oneoff?: boolean; all?: boolean } = {}): Promise<ContainerSummary[]> {
  const labels: Record<string, string | undefined> = { [LABEL.project]: projectName };
  if (opts.oneoff !== true) labels[LABEL.oneoff] = ONEOFF_FALSE;
  const list = await engine.listContainers({ all: opts.all ?? true, labels });
  const wanted = opts.services !== undefined && opts.services.length > 0 ? new Set(opts.services) : undefined;
  return list.filter((c) => wanted === undefined || wanted.has(c.labels[LABEL.service] ?? '')).sort(byName);
}

/** Rejects service names the project does not define. */
export function checkServices(project: Project | undefined, services: readonly string[]): void {
  if (project === undefined) return;
  for (const s of services) {
    if (project.services[s] === undefined && project.disabledServices[s] === undefined) throw new LifecycleError(`no such service: ${s}`);
  }
}

/**
 * Runs `fn` on the containers of each service, services in dependency order (`up`) or reverse
 * (`down`), containers of one service concurrently; every engine call through one limiter.
 * Services the project does not know are ordered by their containers' depends_on label.
 */
export async function walkContainers(
  ctx: NamedProjectContext,
  containers: readonly ContainerSummary[],
  direction: 'up' | 'down',
  fn: (c: ContainerSummary, limiter: Limiter) => Promise<void>,
): Promise<void> {
  const limiter = createLimiter(ctx.parallel, ctx.signal);
  const byService = new Map<string, ContainerSummary[]>();
  for (const c of containers) {
    const s = c.labels[LABEL.service] ?? '';
    byService.set(s, [...(byService.get(s) ?? []), c]);
  }
  const services = ctx.project?.services ?? {};
  const runService = async (s: string): Promise<void> => {
    const results = await Promise.allSettled((byService.get(s) ?? []).map((c) => fn(c, limiter)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  };
  // Dependencies are only ordering here: a missing dependency container must not block.
  // Services the project does not describe (no compose file, or orphans) are ordered by the
  // depends_on label their containers carry, so they too run concurrently.
  const dependenciesOf = (s: string): string[] => {
    const declared = services[s]?.depends_on;
    if (declared !== undefined) return Object.keys(declared);
    const label = byService.get(s)?.[0]?.labels[LABEL.dependsOn] ?? '';
    return label.split(',').map((d) => d.split(':')[0] ?? '').filter((d) => d !== '');
  };
  const graph = DependencyGraph.fromEdges(
    Object.fromEntries([...byService.keys()].map((s) => [s, dependenciesOf(s).filter((d) => d !== s && byService.has(d))])),
  );
  await graph.walk(direction, runService, { concurrency: 0, ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}) });
}

/** Emits start/end events around one container step. */
export async function containerStep(events: EventSink, name: string, start: ResourceStatus, end: ResourceStatus, fn: () => Promise<void>): Promise<void> {
  const t0 = Date.now();
  events({ type: 'resource', kind: 'container', name, status: start });
  try {
    await fn();
  } catch (err) {
    events({ type: 'resource', kind: 'container', name, status: 'Error', detail: err instanceof Error ? err.message : String(err) });
    throw err;
  }
  events({ type: 'resource', kind: 'container', name, status: end, elapsedMs: Date.now() - t0 });
}

export function isActive(c: ContainerSummary): boolean {
  return c.state === 'running' || c.state === 'paused' || c.state === 'restarting';
}

