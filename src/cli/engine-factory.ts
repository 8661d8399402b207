import type { DockerEngine } from '../engine/docker/docker-engine.js';
import { EngineError } from '../engine/engine-error.js';
import type { Engine } from '../engine/engine.js';
import { UsageError } from '../errors/diagnostic.js';
import type { GlobalOptions } from './global-options.js';
import type { CliIo } from './io.js';

const EMBEDDED_MISSING = 'the embedded engine is not available in this version of berth yet';
const PING_TIMEOUT_MS = 5_000;

/** The innermost message of a connection failure (`connect ENOENT /var/run/docker.sock`). */
function reasonOf(err: unknown): string {
  let current: unknown = err;
  while (current instanceof EngineError && current.cause !== undefined) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

async function ping(engine: DockerEngine): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS / 1000} s`)), PING_TIMEOUT_MS);
  });
  try {
    await Promise.race([engine.ping(), timeout]);
    return undefined;
  } catch (err) {
    return err;
  } finally {
    clearTimeout(timer);
  }
}

async function dockerEngine(io: CliIo): Promise<DockerEngine> {
  // Loaded on demand: dockerode and its dependencies take a while to load, and commands such
  // as `config` never need them.
  const { createDockerEngine } = await import('../engine/docker/docker-engine.js');
  try {
    const host = io.env.DOCKER_HOST;
    return createDockerEngine({ env: io.env, ...(host === undefined || host === '' ? {} : { host }) });
  } catch (err) {
    throw new UsageError(`invalid DOCKER_HOST: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Builds the engine the user asked for (`--engine`, `BERTH_ENGINE`), or picks one: the Docker
 * Engine when `DOCKER_HOST` or /var/run/docker.sock answers, else the embedded engine.
 * Throws a UsageError that says what to do when no engine is available.
 */
export async function connectEngine(globals: GlobalOptions, io: CliIo): Promise<Engine> {
  if (globals.engine === 'embedded') {
    throw new UsageError(`${EMBEDDED_MISSING}; use --engine docker with a running Docker Engine`);
  }
  const engine = await dockerEngine(io);
  const failure = await ping(engine);
  if (failure === undefined) return engine;
  const where = engine.endpoint.display;
  if (globals.engine === 'docker') {
    throw new EngineError('unavailable', 'connect', where, `cannot connect to the Docker Engine at ${where}: ${reasonOf(failure)}`, { cause: failure });
  }
  throw new UsageError(
    `${EMBEDDED_MISSING} and no Docker Engine answered at ${where} (${reasonOf(failure)}); ` +
    'start a Docker Engine (or set DOCKER_HOST) and use --engine docker',
  );
}
