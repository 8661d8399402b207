import type { NamedProjectContext } from './context.js';
import { containerStep, isActive, projectContainers, walkContainers } from './lifecycle/common.js';
import { removeContainerWithVolumes } from '../reconcile/remove-container.js';

export interface RmOptions {
  services: string[];
  /** `-s`: stop running containers first. */
  stop: boolean;
  /** `-v`: remove anonymous volumes too. */
  volumes: boolean;
  timeoutSeconds?: number;
}

/** `rm`: removes stopped containers (running ones too with `-s`). Returns the names removed. */
export async function rm(ctx: NamedProjectContext, opts: RmOptions): Promise<string[]> {
  const all = await projectContainers(ctx.engine, ctx.projectName, { services: opts.services });
  const targets = opts.stop ? all : all.filter((c) => !isActive(c));
  await walkContainers(ctx, targets, 'down', async (c, limiter) => {
    if (isActive(c)) await containerStep(ctx.events, c.name, 'Stopping', 'Stopped', () => limiter.run(() => ctx.engine.stopContainer(c.id, opts.timeoutSeconds)));
    await containerStep(ctx.events, c.name, 'Removing', 'Removed', () => removeContainerWithVolumes(ctx.engine, limiter, c.id, opts.volumes));
  });
  return targets.map((c) => c.name);
}
