import type { ContainerDetails, Engine, ImageInfo, NetworkInfo, VolumeInfo } from '../engine/engine.js';
import { isEngineError } from '../engine/engine-error.js';
import { LABEL } from '../model/labels.js';
import type { Project } from '../model/project.js';
import { serviceImage } from './naming.js';

/** What the engine holds for a project, read once before planning. */
export interface ObservedState {
  projectName: string;
  /** Every container with the project label (one-offs included), sorted by name. */
  containers: ContainerDetails[];
  /** Networks by engine name: labelled ones, plus the declared ones found without the label (`undefined` = absent). */
  networks: Record<string, NetworkInfo | undefined>;
  volumes: Record<string, VolumeInfo | undefined>;
  /** Images the project's services use, by reference (`undefined` = not present). */
  images: Record<string, ImageInfo | undefined>;
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isEngineError(err, 'not-found')) return undefined;
    throw err;
  }
}

/** Reads the project's containers (inspected), networks, volumes and images from the engine. */
export async function observe(engine: Engine, projectName: string, project?: Project): Promise<ObservedState> {
  const filter = { [LABEL.project]: projectName };
  const [summaries, nets, vols] = await Promise.all([
    engine.listContainers({ all: true, labels: filter }),
    engine.listNetworks(filter),
    engine.listVolumes(filter),
  ]);
  const details = await Promise.all(summaries.map((c) => orUndefined(engine.inspectContainer(c.id))));
  const containers = details.filter((c): c is ContainerDetails => c !== undefined).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const networks: Record<string, NetworkInfo | undefined> = Object.fromEntries(nets.map((n) => [n.name, n]));
  const volumes: Record<string, VolumeInfo | undefined> = Object.fromEntries(vols.map((v) => [v.name, v]));
  const images: Record<string, ImageInfo | undefined> = {};
  if (project !== undefined) {
    const lookups: Array<Promise<void>> = [];
    for (const n of Object.values(project.networks)) {
      if (!(n.name in networks)) lookups.push(orUndefined(engine.inspectNetwork(n.name)).then((info) => void (networks[n.name] = info)));
    }
    for (const v of Object.values(project.volumes)) {
      if (!(v.name in volumes)) lookups.push(orUndefined(engine.inspectVolume(v.name)).then((info) => void (volumes[v.name] = info)));
    }
    const refs = new Set(Object.values(project.services).map((s) => serviceImage(project.name, s)));
    for (const ref of [...refs].sort()) lookups.push(engine.inspectImage(ref).then((info) => void (images[ref] = info)));
    await Promise.all(lookups);
  }
  return { projectName, containers, networks, volumes, images };
}
