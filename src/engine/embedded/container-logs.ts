/** logs: reads the k8s-file log conmon writes for each container (attach does too). */
import type { LogLine, LogOptions } from '../engine.js';
import type { Core } from './core.js';
import { refresh } from './container-exit.js';
import { containerPaths } from './paths.js';
import type { ContainerRecord } from './state/container-record.js';
import { readContainerLogs } from './state/log-reader.js';

export function stillIn(core: Core, record: ContainerRecord, statuses: ReadonlySet<string>): () => Promise<boolean> {
  return async () => {
    const current = await core.containers.readState(record.id).catch(() => undefined);
    if (current === undefined) return false;
    return statuses.has((await refresh(core, { record, state: current })).status);
  };
}

const RUNNING = new Set(['running', 'paused']);

export async function* containerLogs(core: Core, ref: string, opts: LogOptions): AsyncGenerator<LogLine> {
  const c = await core.containers.get(ref, 'container logs');
  yield* readContainerLogs(containerPaths(core.paths, c.record.id).log, { ...opts, isRunning: stillIn(core, c.record, RUNNING) });
}
