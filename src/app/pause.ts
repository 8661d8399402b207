import type { NamedProjectContext } from './context.js';
import { containerStep, projectContainers, walkContainers } from './lifecycle/common.js';

/** `pause`: pauses running containers. */
export async function pause(ctx: NamedProjectContext, services: string[]): Promise<void> {
  const containers = (await projectContainers(ctx.engine, ctx.projectName, { services })).filter((c) => c.state === 'running');
  await walkContainers(ctx, containers, 'down', (c, limiter) =>
    containerStep(ctx.events, c.name, 'Pausing', 'Paused', () => limiter.run(() => ctx.engine.pauseContainer(c.id))),
  );
}

/** `unpause`: resumes paused containers. */
export async function unpause(ctx: NamedProjectContext, services: string[]): Promise<void> {
  const containers = (await projectContainers(ctx.engine, ctx.projectName, { services })).filter((c) => c.state === 'paused');
  await walkContainers(ctx, containers, 'up', (c, limiter) =>
    containerStep(ctx.events, c.name, 'Unpausing', 'Unpaused', () => limiter.run(() => ctx.engine.unpauseContainer(c.id))),
  );
}
