import type { TopResult } from '../engine/engine.js';
import type { NamedProjectContext } from './context.js';
import { listProjectContainers } from './inspect/project-containers.js';

/** `top`: the processes of each running container of the selected services. */
export async function top(ctx: NamedProjectContext, services: string[]): Promise<Array<{ name: string; top: TopResult }>> {
  const list = await listProjectContainers(ctx.engine, ctx.projectName, { services, all: false });
  return Promise.all(list.map(async (c) => ({ name: c.name, top: await ctx.engine.top(c.id) })));
}
