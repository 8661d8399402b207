import type { ContainerSummary, Engine } from '../../engine/engine.js';
import { UsageError } from '../../errors/diagnostic.js';
import { listProjectContainers, numberOf } from './project-containers.js';

/**
 * The container of a service a command acts on: replica `index`, or the lowest-numbered one.
 * Messages as docker compose words them.
 */
export async function serviceContainer(
  engine: Engine,
  project: string,
  service: string,
  opts: { index?: number; running: boolean },
): Promise<ContainerSummary> {
  const list = await listProjectContainers(engine, project, { services: [service], all: !opts.running });
  if (opts.index !== undefined) {
    const found = list.find((c) => numberOf(c) === opts.index);
    if (found === undefined) throw new UsageError(`service "${service}" is not running container #${opts.index}`);
    return found;
  }
  const first = list[0];
  if (first === undefined) throw new UsageError(`service "${service}" is not running`);
  return first;
}
