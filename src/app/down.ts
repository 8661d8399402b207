import { isEngineError } from '../engine/engine-error.js';
import { LABEL } from '../model/labels.js';
import { serviceImage } from '../reconcile/naming.js';
import { orphanWarning } from '../reconcile/plan.js';
import type { NamedProjectContext } from './context.js';
import { containerStep, createLimiter, isActive, projectContainers, walkContainers } from './lifecycle/common.js';
import { removeContainerWithVolumes } from '../reconcile/remove-container.js';

export interface DownOptions {
  /** Only these services' containers (networks and volumes stay). */
  services: string[];
  /** `-v`: named non-external volumes and anonymous volumes. */
  volumes: boolean;
  rmi?: 'local' | 'all';
  removeOrphans: boolean;
  timeoutSeconds?: number;
}

async function ignoreMissing(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isEngineError(err, 'not-found')) throw err;
  }
}

/**
 * `down`: stops and removes the project's containers (one-offs included) in reverse
 * dependency order, then its networks, and with `-v` its volumes, with `--rmi` its images.
 * Works from labels alone when there is no compose file.
 */
export async function down(ctx: NamedProjectContext, opts: DownOptions): Promise<void> {
  const { engine, events, project } = ctx;
  const all = await projectContainers(engine, ctx.projectName, { services: opts.services, oneoff: true });
  const known = project === undefined ? undefined : new Set([...Object.keys(project.services), ...Object.keys(project.disabledServices)]);
  const isOrphan = (svc: string): boolean => known !== undefined && !known.has(svc);
  const orphans = all.filter((c) => isOrphan(c.labels[LABEL.service] ?? '') && c.labels[LABEL.oneoff] !== 'True');
  const containers = opts.removeOrphans ? all : all.filter((c) => !orphans.includes(c));
  if (!opts.removeOrphans && orphans.length > 0) events({ type: 'warning', message: orphanWarning(orphans.map((c) => c.name)) });
  await walkContainers(ctx, containers, 'down', async (c, limiter) => {
    if (isActive(c)) await containerStep(events, c.name, 'Stopping', 'Stopped', () => limiter.run(() => engine.stopContainer(c.id, opts.timeoutSeconds)));
    await containerStep(events, c.name, 'Removing', 'Removed', () => ignoreMissing(removeContainerWithVolumes(engine, limiter, c.id, opts.volumes)));
  });
  if (opts.services.length > 0) return;
  const limiter = createLimiter(ctx.parallel, ctx.signal);
  const filter = { [LABEL.project]: ctx.projectName };
  const networkNames =
    project !== undefined
      ? Object.values(project.networks).filter((n) => n.external !== true).map((n) => n.name)
      : (await engine.listNetworks(filter)).map((n) => n.name);
  const resource = async (kind: 'network' | 'volume' | 'image', name: string, fn: () => Promise<void>): Promise<void> => {
    const t0 = Date.now();
    events({ type: 'resource', kind, name, status: 'Removing' });
    await limiter.run(fn);
    events({ type: 'resource', kind, name, status: 'Removed', elapsedMs: Date.now() - t0 });
  };
  const existingNetworks = new Set((await engine.listNetworks(filter)).map((n) => n.name));
  await Promise.all(
    [...new Set(networkNames)]
      .filter((n) => existingNetworks.has(n))
      .sort()
      .map((n) => resource('network', n, () => ignoreMissing(engine.removeNetwork(n)))),
  );
  if (opts.volumes) {
    const labelled = new Set((await engine.listVolumes(filter)).map((v) => v.name));
    const names = project !== undefined ? Object.values(project.volumes).filter((v) => v.external !== true).map((v) => v.name) : [...labelled];
    await Promise.all(names.filter((v) => labelled.has(v)).sort().map((v) => resource('volume', v, () => ignoreMissing(engine.removeVolume(v, false)))));
  }
  if (opts.rmi !== undefined) {
    const images = new Set<string>();
    if (project !== undefined) {
      for (const s of Object.values(project.services)) if (opts.rmi === 'all' || s.image === undefined) images.add(serviceImage(project.name, s));
    } else {
      for (const c of all) if (opts.rmi === 'all' || c.image === `${ctx.projectName}-${c.labels[LABEL.service] ?? ''}`) images.add(c.image);
    }
    for (const image of [...images].sort()) await resource('image', image, () => ignoreMissing(engine.removeImage(image, false)));
  }
}
