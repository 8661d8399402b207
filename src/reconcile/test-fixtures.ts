import type { ContainerDetails, ContainerState, NetworkInfo } from '../engine/engine.js';
import { networkConfigHash, serviceConfigHash, volumeConfigHash } from '../model/config-hash.js';
import { LABEL, ONEOFF_FALSE } from '../model/labels.js';
import type { Project, ServiceConfig } from '../model/project.js';
import type { ObservedState } from './observe.js';

/** A normalized project as the loader would produce it (test helper). */
export function testProject(services: Record<string, Omit<ServiceConfig, 'name'>>, extra: Partial<Project> = {}): Project {
  const svc = Object.fromEntries(Object.entries(services).map(([name, s]) => [name, { networks: { default: null }, ...s, name } as ServiceConfig]));
  return {
    name: 'p',
    workingDir: '/w',
    configFiles: ['/w/compose.yaml'],
    envFiles: [],
    services: svc,
    disabledServices: {},
    networks: { default: { name: 'p_default' } },
    volumes: {},
    secrets: {},
    configs: {},
    models: {},
    profiles: [],
    environment: {},
    extensions: {},
    ...extra,
  };
}

/** An observed container of `project`'s service, matching its current config unless overridden. */
export function observedContainer(project: Project, service: string, number: number, opts: { state?: ContainerState; hash?: string; image?: string; networks?: string[]; volumes?: string[]; id?: string } = {}): ContainerDetails {
  const s = project.services[service];
  const name = `${project.name}-${service}-${number}`;
  const networks = opts.networks ?? [`${project.name}_default`];
  return {
    id: opts.id ?? `${service}${number}`.padEnd(64, '0'),
    name,
    image: s?.image ?? '',
    imageId: opts.image ?? 'sha256:img',
    command: '',
    labels: {
      [LABEL.project]: project.name,
      [LABEL.service]: service,
      [LABEL.containerNumber]: String(number),
      [LABEL.oneoff]: ONEOFF_FALSE,
      [LABEL.configHash]: opts.hash ?? (s !== undefined ? serviceConfigHash(s) : 'old'),
      [LABEL.image]: opts.image ?? 'sha256:img',
    },
    state: opts.state ?? 'running',
    status: '',
    created: 0,
    ports: [],
    networks,
    exitCode: 0,
    restartCount: 0,
    oomKilled: false,
    mounts: (opts.volumes ?? []).map((v) => ({ type: 'volume', name: v, source: `/var/lib/docker/volumes/${v}`, target: `/${v}`, readOnly: false })),
    networkSettings: Object.fromEntries(networks.map((n) => [n, { networkId: n, aliases: [] }])),
    env: [],
  };
}

export function observedNetwork(project: Project, key: string, hash?: string): NetworkInfo {
  const n = project.networks[key]!;
  return { id: `id-${n.name}`, name: n.name, driver: 'bridge', labels: { [LABEL.project]: project.name, [LABEL.network]: key, [LABEL.configHash]: hash ?? networkConfigHash(n) }, internal: false, containers: [] };
}

/** Observed state where every declared network/volume exists and images are present, plus `containers`. */
export function observedState(project: Project, containers: ContainerDetails[], opts: { images?: Record<string, string | undefined>; fresh?: boolean } = {}): ObservedState {
  const images: ObservedState['images'] = {};
  for (const s of Object.values(project.services)) {
    const ref = s.image ?? `${project.name}-${s.name}`;
    const id = opts.images !== undefined && ref in opts.images ? opts.images[ref] : 'sha256:img';
    images[ref] = id === undefined ? undefined : { id, repoTags: [ref], repoDigests: [], labels: {}, created: 0, size: 0, config: { env: [], exposedPorts: [], volumes: [] } };
  }
  const fresh = opts.fresh === true;
  return {
    projectName: project.name,
    containers,
    networks: fresh ? {} : Object.fromEntries(Object.keys(project.networks).filter((k) => project.networks[k]?.external !== true).map((k) => [project.networks[k]!.name, observedNetwork(project, k)])),
    volumes: fresh
      ? {}
      : Object.fromEntries(
          Object.entries(project.volumes)
            .filter(([, v]) => v.external !== true)
            .map(([k, v]) => [v.name, { name: v.name, driver: 'local', labels: { [LABEL.project]: project.name, [LABEL.volume]: k, [LABEL.configHash]: volumeConfigHash(v) }, mountpoint: '' }]),
        ),
    images,
  };
}
