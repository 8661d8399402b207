import type { ContainerDetails, ContainerState, ContainerSummary } from '../engine/engine.js';
import { isEngineError } from '../engine/engine-error.js';
import type { NamedProjectContext } from './context.js';
import { listProjectContainers } from './inspect/project-containers.js';

export interface PsOptions {
  services: string[];
  /** `-a`: stopped and one-off containers too. */
  all: boolean;
  /** Only containers in one of these states (empty: any). */
  status: ContainerState[];
}

export interface PsEntry {
  summary: ContainerSummary;
  /** Undefined when the container went away between listing and inspecting. */
  details?: ContainerDetails;
}

/** `ps`: the project's containers by label, sorted by service and replica number. */
export async function ps(ctx: NamedProjectContext, opts: PsOptions): Promise<PsEntry[]> {
  // A state filter other than running implies looking at stopped containers too.
  const all = opts.all || opts.status.some((s) => s !== 'running');
  const list = await listProjectContainers(ctx.engine, ctx.projectName, { services: opts.services, all, oneoff: opts.all ? 'include' : 'exclude' });
  const selected = opts.status.length === 0 ? list : list.filter((c) => opts.status.includes(c.state));
  return Promise.all(
    selected.map(async (summary) => {
      try {
        return { summary, details: await ctx.engine.inspectContainer(summary.id) };
      } catch (err) {
        if (isEngineError(err, 'not-found')) return { summary };
        throw err;
      }
    }),
  );
}

export const CONTAINER_STATES: readonly ContainerState[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];
