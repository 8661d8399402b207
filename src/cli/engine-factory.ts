import type { Engine } from '../engine/engine.js';
import type { GlobalOptions } from './global-options.js';
import type { CliIo } from './io.js';

/**
 * Builds the engine the user asked for (`--engine`, `BERTH_ENGINE`), or picks one: the Docker
 * Engine when `DOCKER_HOST` or /var/run/docker.sock answers, else the embedded engine.
 * Throws a UsageError that says what to do when no engine is available.
 */
export async function connectEngine(_globals: GlobalOptions, _io: CliIo): Promise<Engine> {
  await Promise.resolve();
  throw new Error('not implemented: connectEngine');
}
