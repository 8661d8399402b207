import { isEngineError } from '../engine/engine-error.js';
import { UsageError } from '../errors/diagnostic.js';
import type { NamedProjectContext } from './context.js';
import { down } from './down.js';
import { listProjectContainers } from './inspect/project-containers.js';

export interface WaitResult {
  /** Per container, in the order they exited. */
  exited: Array<{ id: string; name: string; exitCode: number }>;
  /** The exit code of the last container to exit, as docker compose returns it. */
  exitCode: number;
}

/**
 * `wait`: blocks until the containers of the services exit. With `downProject`, the first exit
 * takes the whole project down (which stops the others).
 */
export async function waitServices(ctx: NamedProjectContext, opts: { services: string[]; downProject: boolean }): Promise<WaitResult> {
  const list = await listProjectContainers(ctx.engine, ctx.projectName, { services: opts.services, all: true, oneoff: 'include' });
  if (list.length === 0) throw new UsageError(`no containers for project "${ctx.projectName}"`);
  const result: WaitResult = { exited: [], exitCode: 0 };
  let downing: Promise<void> | undefined;
  await Promise.all(
    list.map(async (c) => {
      let exitCode: number;
      try {
        exitCode = await ctx.engine.waitContainer(c.id, ctx.signal);
      } catch (err) {
        // Removed meanwhile (by --down-project, or by someone else): nothing to report.
        if (isEngineError(err, 'not-found')) return;
        throw err;
      }
      result.exited.push({ id: c.id, name: c.name, exitCode });
      result.exitCode = exitCode;
      if (opts.downProject && downing === undefined) {
        downing = down(ctx, { services: [], volumes: false, removeOrphans: false });
      }
    }),
  );
  if (downing !== undefined) await downing;
  return result;
}
