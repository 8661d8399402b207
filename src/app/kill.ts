import type { NamedProjectContext } from './context.js';
import { containerStep, projectContainers, walkContainers } from './lifecycle/common.js';

export interface KillOptions {
  services: string[];
  /** Default SIGKILL. */
  signal?: string;
}

/** `kill`: sends a signal to the running containers. */
export async function kill(ctx: NamedProjectContext, opts: KillOptions): Promise<void> {
  const containers = (await projectContainers(ctx.engine, ctx.projectName, { services: opts.services })).filter((c) => c.state === 'running');
  await walkContainers(ctx, containers, 'down', (c, limiter) =>
    containerStep(ctx.events, c.name, 'Killing', 'Killed', () => limiter.run(() => ctx.engine.killContainer(c.id, opts.signal ?? 'SIGKILL'))),
  );
}
