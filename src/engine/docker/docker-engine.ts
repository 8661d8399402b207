import type Docker from 'dockerode';
import type { Engine, EngineInfo } from '../engine.js';
import { buildImage } from './build.js';
import { connectDocker } from './connection.js';
import type { DockerConnectionOptions, DockerEndpoint } from './connection.js';
import {
  attachContainer, containerLogs, copyFromContainer, copyToContainer, execInContainer,
} from './container-io.js';
import * as c from './containers.js';
import { call } from './errors.js';
import { engineEvents } from './events.js';
import * as img from './images.js';
import * as nv from './networks-volumes.js';

export interface DockerEngine extends Engine {
  /** Where the engine connects, as a user would write it (`unix:///var/run/docker.sock`). */
  readonly endpoint: DockerEndpoint;
  /** Resolves when the daemon answers a ping; throws an `unavailable` EngineError otherwise. */
  ping(): Promise<void>;
}

/** An Engine backed by a Docker Engine API (Docker, or Podman's compatible socket). */
export function createDockerEngine(opts: DockerConnectionOptions = {}): DockerEngine {
  const { docker, endpoint } = connectDocker(opts);
  const env = opts.env ?? process.env;
  return {
    endpoint,
    ping: async () => { await call('ping', endpoint.display, () => docker.ping()); },
    info: () => engineInfo(docker, endpoint),
    close: () => Promise.resolve(),

    listContainers: (o) => c.listContainers(docker, o),
    inspectContainer: (ref) => c.inspectContainer(docker, ref),
    createContainer: (spec) => c.createContainer(docker, spec),
    startContainer: (ref) => c.startContainer(docker, ref),
    stopContainer: (ref, t) => c.stopContainer(docker, ref, t),
    killContainer: (ref, s) => c.killContainer(docker, ref, s),
    restartContainer: (ref, t) => c.restartContainer(docker, ref, t),
    removeContainer: (ref, o) => c.removeContainer(docker, ref, o),
    renameContainer: (ref, name) => c.renameContainer(docker, ref, name),
    pauseContainer: (ref) => c.pauseContainer(docker, ref),
    unpauseContainer: (ref) => c.unpauseContainer(docker, ref),
    waitContainer: (ref, signal) => c.waitContainer(docker, ref, signal),
    logs: (ref, o) => containerLogs(docker, ref, o),
    attach: (ref, o) => attachContainer(docker, ref, o),
    exec: (ref, o) => execInContainer(docker, ref, o),
    copyTo: (ref, path, tar) => copyToContainer(docker, ref, path, tar),
    copyFrom: (ref, path) => copyFromContainer(docker, ref, path),
    top: (ref) => c.topContainer(docker, ref),
    connectNetwork: (network, container, a) => c.connectNetwork(docker, network, container, a),
    disconnectNetwork: (network, container, force) => c.disconnectNetwork(docker, network, container, force),

    listNetworks: (labels) => nv.listNetworks(docker, labels),
    inspectNetwork: (ref) => nv.inspectNetwork(docker, ref),
    createNetwork: (spec) => nv.createNetwork(docker, spec),
    removeNetwork: (ref) => nv.removeNetwork(docker, ref),

    listVolumes: (labels) => nv.listVolumes(docker, labels),
    inspectVolume: (name) => nv.inspectVolume(docker, name),
    createVolume: (spec) => nv.createVolume(docker, spec),
    removeVolume: (name, force) => nv.removeVolume(docker, name, force),

    inspectImage: (ref) => img.inspectImage(docker, ref),
    listImages: (labels) => img.listImages(docker, labels),
    pullImage: (ref, o) => img.pullImage(docker, ref, o, env),
    buildImage: (spec, o) => buildImage(docker, spec, o),
    removeImage: (ref, force) => img.removeImage(docker, ref, force),
    tagImage: (ref, tag) => img.tagImage(docker, ref, tag),

    events: (o) => engineEvents(docker, o),
  };
}

async function engineInfo(docker: Docker, endpoint: DockerEndpoint): Promise<EngineInfo> {
  const v = await call('query version of', endpoint.display, () => docker.version());
  return {
    name: 'docker',
    version: v.Version,
    apiVersion: v.ApiVersion,
    os: v.Os,
    arch: v.Arch,
    capabilities: { build: true, pause: true, healthcheck: true, hostNetwork: true, publishPorts: true, exec: true, copy: true, events: true },
  };
}
