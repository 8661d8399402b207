import type { LogLine } from '../engine/engine.js';
import type { NamedProjectContext } from './context.js';

export interface LogSource {
  /** Container name without the project prefix, e.g. `web-1` (or the container_name). */
  name: string;
  service: string;
  /** Replica number (0 for one-off containers). */
  number: number;
  containerId: string;
}

export interface StreamLogsOptions {
  services: string[];
  follow: boolean;
  tail?: number;
  since?: number;
  until?: number;
  timestamps: boolean;
  /** Only the replica with this number. */
  index?: number;
  /** Include one-off (`run`) containers. */
  oneoff?: boolean;
}

/**
 * Streams the logs of a project's containers to `onLine`. With `follow`, keeps going until
 * `ctx.signal` aborts: containers that are restarted, recreated or appear later are followed too.
 */
export async function streamLogs(
  _ctx: NamedProjectContext,
  _opts: StreamLogsOptions,
  _onLine: (source: LogSource, line: LogLine) => void,
): Promise<void> {
  await Promise.resolve();
  throw new Error('not implemented: streamLogs');
}
