import type { NamedProjectContext } from './context.js';
import { containerStep, isActive, projectContainers, walkContainers } from './lifecycle/common.js';

export interface StopOptions {
  services: string[];
  timeoutSeconds?: number;
}

/** `stop`: stops running containers, dependents before their dependencies. */
export async function stop(ctx: NamedProjectContext, opts: StopOptions): Promise<void> {
  const containers = (await projectContainers(ctx.engine, ctx.projectName, { services: opts.services })).filter(isActive);
  await walkContainers(ctx, containers, 'down', (c, limiter) =>
    containerStep(ctx.events, c.name, 'Stopping', 'Stopped', () => limiter.run(() => ctx.engine.stopContainer(c.id, opts.timeoutSeconds))),
  );
}
