/** logs and attach: both read the k8s-file log conmon writes for each container. */
import type { AttachOptions, LogLine, LogOptions } from '../engine.js';
import type { Core } from './core.js';
import { refresh } from './container-exit.js';
import { containerPaths } from './paths.js';
import type { ContainerRecord } from './state/container-record.js';
import { followLogOutput, logFileSize, readContainerLogs } from './state/log-reader.js';

function stillIn(core: Core, record: ContainerRecord, statuses: ReadonlySet<string>): () => Promise<boolean> {
  return async () => {
    const current = await core.containers.readState(record.id).catch(() => undefined);
    if (current === undefined) return false;
    return statuses.has((await refresh(core, { record, state: current })).status);
  };
}

const RUNNING = new Set(['running', 'paused']);
/** An attach made before start waits through `created`, like Docker's. */
const ATTACHABLE = new Set(['created', 'running', 'paused']);

export async function* containerLogs(core: Core, ref: string, opts: LogOptions): AsyncGenerator<LogLine> {
  const c = await core.containers.get(ref, 'container logs');
  yield* readContainerLogs(containerPaths(core.paths, c.record.id).log, { ...opts, isRunning: stillIn(core, c.record, RUNNING) });
}

export async function attachContainer(core: Core, ref: string, opts: AttachOptions): Promise<void> {
  const c = await core.containers.get(ref, 'attach to container');
  const log = containerPaths(core.paths, c.record.id).log;
  const offset = await logFileSize(log);
  // Output only: container input would go through conmon's attach socket (SOCK_SEQPACKET,
  // which Node cannot open), so `opts.stdin` is not forwarded on this engine yet.
  opts.onAttached?.();
  for await (const chunk of followLogOutput(log, { offset, isRunning: stillIn(core, c.record, ATTACHABLE) })) {
    (chunk.stream === 'stderr' && !opts.tty ? opts.stderr : opts.stdout).write(chunk.data);
  }
}
