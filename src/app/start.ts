import { LABEL } from '../model/labels.js';
import { createLimiter } from '../reconcile/limiter.js';
import { waitCondition } from '../reconcile/wait-conditions.js';
import type { NamedProjectContext, ProjectContext } from './context.js';
import { LifecycleError, containerStep, projectContainers, walkContainers } from './lifecycle/common.js';
import { waitReady } from './lifecycle/wait-ready.js';

export interface StartOptions {
  services: string[];
  wait: boolean;
  waitTimeoutSeconds?: number;
}

/** `start`: starts existing containers in dependency order, waiting for depends_on conditions. */
export async function start(ctx: NamedProjectContext, opts: StartOptions): Promise<void> {
  const { engine, events, project } = ctx;
  const containers = await projectContainers(engine, ctx.projectName, { services: opts.services });
  for (const s of opts.services) {
    if (!containers.some((c) => c.labels[LABEL.service] === s)) throw new LifecycleError(`service "${s}" has no container to start`);
  }
  if (containers.length === 0) throw new LifecycleError(`no containers to start for project ${ctx.projectName}`);
  const conditionLimiter = createLimiter(ctx.parallel, ctx.signal);
  await walkContainers(ctx, containers, 'up', async (c, limiter) => {
    const svc = c.labels[LABEL.service] ?? '';
    const deps = project?.services[svc]?.depends_on ?? {};
    for (const [dep, cond] of Object.entries(deps)) {
      const refs = containers.filter((x) => x.labels[LABEL.service] === dep).map((x) => ({ id: x.id, name: x.name }));
      if (refs.length > 0) await waitCondition(engine, conditionLimiter, events, svc, dep, cond, refs, ctx.signal);
    }
    if (c.state === 'running') return;
    if (c.state === 'paused') await containerStep(events, c.name, 'Unpausing', 'Unpaused', () => limiter.run(() => engine.unpauseContainer(c.id)));
    else await containerStep(events, c.name, 'Starting', 'Started', () => limiter.run(() => engine.startContainer(c.id)));
  });
  if (opts.wait && project !== undefined) {
    const services = [...new Set(containers.map((c) => c.labels[LABEL.service] ?? ''))].filter((s) => project.services[s] !== undefined);
    const pctx: ProjectContext = { project, engine, events, parallel: ctx.parallel, ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}) };
    await waitReady(pctx, services, opts.waitTimeoutSeconds);
  }
}
