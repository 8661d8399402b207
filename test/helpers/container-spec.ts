import type { ContainerSpec } from '../../src/engine/engine.js';
import { BASE_IMAGE } from './docker.js';

/**
 * A spec with nothing optional set: the base image, the given labels, the default bridge,
 * nothing published or mounted, a 1 s stop timeout. `over` replaces any field.
 */
export function baseContainerSpec(name: string, labels: Record<string, string>, over: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    name,
    image: BASE_IMAGE,
    labels,
    env: [],
    tty: false,
    stdinOpen: false,
    exposedPorts: [],
    ports: [],
    mounts: [],
    networkMode: 'bridge',
    networks: [],
    links: [],
    extraHosts: [],
    dns: [],
    dnsSearch: [],
    dnsOptions: [],
    restartPolicy: { name: 'no' },
    init: false,
    privileged: false,
    readOnlyRootfs: false,
    capAdd: [],
    capDrop: [],
    securityOpt: [],
    sysctls: {},
    ulimits: [],
    tmpfs: {},
    devices: [],
    groupAdd: [],
    resources: {},
    volumesFrom: [],
    stopTimeoutSeconds: 1,
    ...over,
  };
}
