import type { NamedProjectContext } from './context.js';
import { containerStep, projectContainers, walkContainers } from './lifecycle/common.js';

export interface RestartOptions {
  services: string[];
  /** `--no-deps`: do not restart dependents declared with `restart: true`. */
  noDeps: boolean;
  timeoutSeconds?: number;
}

/** Services that must restart with `names`: dependents declared with `depends_on.<x>.restart: true`, transitively. */
export function restartSet(services: NamedProjectContext['project'], names: readonly string[]): string[] {
  if (services === undefined) return [...names];
  const out = new Set(names);
  const todo = [...names];
  while (todo.length > 0) {
    const n = todo.pop()!;
    for (const s of Object.values(services.services)) {
      if (s.depends_on?.[n]?.restart === true && !out.has(s.name)) {
        out.add(s.name);
        todo.push(s.name);
      }
    }
  }
  return [...out].sort();
}

/** `restart`: restarts containers (and `restart: true` dependents), dependencies first. */
export async function restart(ctx: NamedProjectContext, opts: RestartOptions): Promise<void> {
  const names = opts.services.length === 0 || opts.noDeps ? opts.services : restartSet(ctx.project, opts.services);
  const containers = await projectContainers(ctx.engine, ctx.projectName, { services: names });
  await walkContainers(ctx, containers, 'up', (c, limiter) =>
    containerStep(ctx.events, c.name, 'Restarting', 'Restarted', () => limiter.run(() => ctx.engine.restartContainer(c.id, opts.timeoutSeconds))),
  );
}
