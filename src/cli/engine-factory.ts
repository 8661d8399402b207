import type { DockerEngine } from '../engine/docker/docker-engine.js';
import { EngineError } from '../engine/engine-error.js';
import type { Engine } from '../engine/engine.js';
import { UsageError } from '../errors/diagnostic.js';
import type { GlobalOptions } from './global-options.js';
import type { CliIo } from './io.js';

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

/** The embedded engine on BERTH_ROOT (default /var/lib/berth). */
export async function embeddedEngine(io: CliIo): Promise<Engine> {
  const { openEmbeddedEngine } = await import('../engine/embedded/embedded-engine.js');
  const { DEFAULT_ROOT } = await import('../engine/embedded/paths.js');
  const root = io.env.BERTH_ROOT !== undefined && io.env.BERTH_ROOT !== '' ? io.env.BERTH_ROOT : DEFAULT_ROOT;
  const insecure = (io.env.BERTH_INSECURE_REGISTRIES ?? '').split(/[\s,]+/).filter((s) => s !== '');
  const home = io.env.HOME ?? '/root';
  const dockerConfig = io.env.DOCKER_CONFIG !== undefined && io.env.DOCKER_CONFIG !== '' ? `${io.env.DOCKER_CONFIG}/config.json` : `${home}/.docker/config.json`;
  const runtime = io.env.BERTH_RUNTIME;
  const publish = io.env.BERTH_PORT_PUBLISH;
  return openEmbeddedEngine({
    root,
    insecureRegistries: insecure,
    dockerConfigPath: dockerConfig,
    ...(io.env.PATH !== undefined ? { pathEnv: io.env.PATH } : {}),
    ...(runtime === 'crun' || runtime === 'runc' ? { runtime } : {}),
    ...(publish === 'iptables' || publish === 'proxy' || publish === 'auto' ? { portPublish: publish } : {}),
  });
}

/**
 * Builds the engine the user asked for (`--engine`, `BERTH_ENGINE`), or picks one: the Docker
 * Engine when `DOCKER_HOST` or /var/run/docker.sock answers, else the embedded engine.
 */
export async function connectEngine(globals: GlobalOptions, io: CliIo): Promise<Engine> {
  if (globals.engine === 'embedded') return embeddedEngine(io);
  const engine = await dockerEngine(io);
  const failure = await ping(engine);
  if (failure === undefined) return engine;
  const where = engine.endpoint.display;
  if (globals.engine === 'docker' || (io.env.DOCKER_HOST !== undefined && io.env.DOCKER_HOST !== '')) {
    throw new EngineError('unavailable', 'connect', where, `cannot connect to the Docker Engine at ${where}: ${reasonOf(failure)}`, { cause: failure });
  }
  // No daemon answered: berth's own engine runs the project (it needs root and a few
  // Debian packages, and says which when they are missing).
  return embeddedEngine(io);
}
