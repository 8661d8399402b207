import { isEngineError } from '../engine/engine-error.js';
import type { Engine } from '../engine/engine.js';
import type { Limiter } from './limiter.js';

/** Docker-style generated volume names: how an anonymous volume looks once a container is gone. */
const ANONYMOUS_VOLUME = /^[0-9a-f]{64}$/;

/**
 * Removes a container; with `volumes`, also its anonymous volumes, including those a
 * recreated container inherited from its predecessor (the engine sees those as mounted by
 * name, so removing the container with its volumes alone would leave them behind). A volume
 * still used by another container is left alone.
 */
export async function removeContainerWithVolumes(
  engine: Engine,
  limiter: Limiter,
  containerId: string,
  volumes: boolean,
): Promise<void> {
  let anonymous: string[] = [];
  if (volumes) {
    const details = await limiter.run(() => engine.inspectContainer(containerId)).catch(() => undefined);
    anonymous = (details?.mounts ?? []).filter((m) => m.type === 'volume' && m.name !== undefined && ANONYMOUS_VOLUME.test(m.name)).map((m) => m.name!);
  }
  await limiter.run(() => engine.removeContainer(containerId, { force: true, volumes }));
  for (const name of anonymous) {
    await limiter.run(() => engine.removeVolume(name, false)).catch((err: unknown) => {
      if (!isEngineError(err, 'not-found') && !isEngineError(err, 'conflict')) throw err;
    });
  }
}
