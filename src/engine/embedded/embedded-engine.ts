/**
 * The embedded engine: berth's own daemonless container engine. Every call works on the state
 * on disk under the engine root; conmon supervises each running container, and the monitor
 * process applies restart policies and healthchecks between berth commands.
 */
import { arch } from 'node:os';
import { EngineError } from '../engine-error.js';
import type {
  ContainerDetails, ContainerSummary, Engine, EngineInfo, ImageInfo, NetworkInfo, VolumeInfo,
} from '../engine.js';
import { BERTH_VERSION } from '../../version.js';
import { attachContainer } from './container-attach.js';
import { containerLogs } from './container-logs.js';
import { createContainer } from './container-create.js';
import { getFresh, listFresh } from './container-exit.js';
import { copyFromContainer, copyToContainer, execInContainer, topContainer } from './container-io.js';
import * as ops from './container-ops.js';
import { needsMonitor, prepareContainer, startContainer } from './container-start.js';
import { ensureMonitor } from './monitor/launch.js';
import type { StoredContainer } from './state/container-record.js';
import { toDetails, toSummary } from './container-view.js';
import { Core } from './core.js';
import type { EmbeddedOptions } from './core.js';
import { connectNetwork, disconnectNetwork } from './network-attach.js';
import { recoverOnce } from './recovery.js';
import { matchesLabels } from './state/label-filter.js';

export type { EmbeddedOptions } from './core.js';

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

export interface EmbeddedEngine extends Engine {
  readonly root: string;
}

/** Engine method → the operation its errors name (the first argument is the resource). */
const OPERATIONS: Partial<Record<keyof Engine, string>> = {
  inspectContainer: 'inspect container', createContainer: 'create container', startContainer: 'start container',
  prepareContainer: 'prepare container',
  stopContainer: 'stop container', killContainer: 'kill container', restartContainer: 'restart container',
  removeContainer: 'remove container', renameContainer: 'rename container', pauseContainer: 'pause container',
  unpauseContainer: 'unpause container', waitContainer: 'wait container', attach: 'attach to container',
  exec: 'exec in container', copyTo: 'copy to container', copyFrom: 'copy from container', top: 'top container',
  connectNetwork: 'connect network', disconnectNetwork: 'disconnect network', inspectNetwork: 'inspect network',
  createNetwork: 'create network', removeNetwork: 'remove network', inspectVolume: 'inspect volume',
  createVolume: 'create volume', removeVolume: 'remove volume', inspectImage: 'inspect image', pullImage: 'pull image',
  buildImage: 'build image', removeImage: 'remove image', tagImage: 'tag image',
};

function resourceOf(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'object' && arg !== null) {
    const o = arg as { name?: unknown; tags?: unknown };
    if (typeof o.name === 'string') return o.name;
    if (Array.isArray(o.tags) && typeof o.tags[0] === 'string') return o.tags[0];
  }
  return '';
}

export async function openEmbeddedEngine(opts: EmbeddedOptions): Promise<EmbeddedEngine> {
  const core = await Core.open(opts);
  const impl = new EmbeddedEngineImpl(core);
  return new Proxy(impl, {
    get(target, prop, receiver): unknown {
      const value: unknown = Reflect.get(target, prop, receiver);
      const operation = typeof prop === 'string' ? OPERATIONS[prop as keyof Engine] : undefined;
      if (operation === undefined || typeof value !== 'function') return value;
      return (...args: unknown[]) => guard(operation, resourceOf(args[0]), () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    },
  });
}

/**
 * Every error leaves the engine as an EngineError whose message starts with what was attempted
 * on what (`inspect container web-1: No such container: web-1`), like the Docker driver's.
 */
async function guard<T>(operation: string, resource: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof EngineError) {
      if (err.message.startsWith(`${err.operation} `)) throw err;
      throw new EngineError(err.kind, err.operation, err.resource, `${err.operation} ${err.resource}: ${err.message}`, { cause: err.cause ?? err });
    }
    const reason = err instanceof Error ? err.message : String(err);
    throw new EngineError('failed', operation, resource, `${operation} ${resource}: ${reason}`, { cause: err });
  }
}

class EmbeddedEngineImpl implements EmbeddedEngine {
  constructor(private readonly core: Core) {}

  get root(): string {
    return this.core.paths.root;
  }

  /** Host checks and crash recovery, once per process, before anything changes state. */
  private async ready(): Promise<void> {
    await this.core.tools();
    await recoverOnce(this.core);
  }

  async info(): Promise<EngineInfo> {
    let runtime = 'unknown';
    try {
      const r = await this.core.runtime();
      runtime = `${r.info.name} ${r.info.version}`;
    } catch {
      // info() answers even on a host that cannot run containers; starting one says why.
    }
    return {
      name: 'embedded',
      version: `${BERTH_VERSION} (${runtime})`,
      os: 'linux',
      arch: GOARCH[arch()] ?? arch(),
      capabilities: { build: true, pause: true, healthcheck: true, hostNetwork: true, publishPorts: true, exec: true, copy: true, events: true },
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Any command that looks at containers also makes sure their supervision runs: a monitor
   * that died (killed, or its berth killed before it started it) comes back.
   */
  private async superviseIfNeeded(all: readonly StoredContainer[]): Promise<void> {
    const live = all.some((c) => (c.state.status === 'running' || c.state.status === 'paused' || c.state.status === 'restarting') && needsMonitor(c.record));
    if (live) await ensureMonitor(this.core);
  }

  async listContainers(opts: { all: boolean; labels: Record<string, string | undefined> }): Promise<ContainerSummary[]> {
    const all = await listFresh(this.core);
    await this.superviseIfNeeded(all);
    const now = Date.now();
    return all
      .filter((c) => matchesLabels(c.record.spec.labels, opts.labels))
      .filter((c) => opts.all || c.state.status === 'running' || c.state.status === 'paused' || c.state.status === 'restarting')
      .map((c) => toSummary(c, now))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async inspectContainer(ref: string): Promise<ContainerDetails> {
    const c = await getFresh(this.core, ref, 'inspect container');
    await this.superviseIfNeeded([c]);
    return toDetails(c);
  }

  async createContainer(spec: Parameters<Engine['createContainer']>[0]): Promise<string> {
    await this.ready();
    return createContainer(this.core, spec);
  }

  async startContainer(ref: string): Promise<void> {
    await this.ready();
    await startContainer(this.core, ref);
  }

  async prepareContainer(ref: string): Promise<void> {
    await this.ready();
    await prepareContainer(this.core, ref);
  }

  stopContainer(ref: string, timeoutSeconds?: number): Promise<void> {
    return ops.stopContainer(this.core, ref, timeoutSeconds);
  }

  killContainer(ref: string, signal?: string): Promise<void> {
    return ops.killContainer(this.core, ref, signal);
  }

  async restartContainer(ref: string, timeoutSeconds?: number): Promise<void> {
    await this.ready();
    await ops.restartContainer(this.core, ref, timeoutSeconds);
  }

  removeContainer(ref: string, opts: { force: boolean; volumes: boolean }): Promise<void> {
    return ops.removeContainer(this.core, ref, opts);
  }

  renameContainer(ref: string, name: string): Promise<void> {
    return ops.renameContainer(this.core, ref, name);
  }

  pauseContainer(ref: string): Promise<void> {
    return ops.pauseContainer(this.core, ref);
  }

  unpauseContainer(ref: string): Promise<void> {
    return ops.unpauseContainer(this.core, ref);
  }

  waitContainer(ref: string, signal?: AbortSignal): Promise<number> {
    return ops.waitContainer(this.core, ref, signal);
  }

  logs(ref: string, opts: Parameters<Engine['logs']>[1]): ReturnType<Engine['logs']> {
    return containerLogs(this.core, ref, opts);
  }

  attach(ref: string, opts: Parameters<Engine['attach']>[1]): Promise<void> {
    return attachContainer(this.core, ref, opts);
  }

  exec(ref: string, opts: Parameters<Engine['exec']>[1]): ReturnType<Engine['exec']> {
    return execInContainer(this.core, ref, opts);
  }

  copyTo(ref: string, path: string, tar: Parameters<Engine['copyTo']>[2]): Promise<void> {
    return copyToContainer(this.core, ref, path, tar);
  }

  copyFrom(ref: string, path: string): ReturnType<Engine['copyFrom']> {
    return copyFromContainer(this.core, ref, path);
  }

  top(ref: string): ReturnType<Engine['top']> {
    return topContainer(this.core, ref);
  }

  connectNetwork(network: string, container: string, attachment: Parameters<Engine['connectNetwork']>[2]): Promise<void> {
    return connectNetwork(this.core, network, container, attachment);
  }

  disconnectNetwork(network: string, container: string, force: boolean): Promise<void> {
    return disconnectNetwork(this.core, network, container, force);
  }

  private async networkInfo(rec: Awaited<ReturnType<Core['network']['inspect']>>): Promise<NetworkInfo> {
    return {
      id: rec.id, name: rec.name, driver: rec.driver, labels: { ...rec.labels }, internal: rec.internal,
      containers: await this.core.network.endpoints(rec.id),
    };
  }

  async listNetworks(labels: Record<string, string | undefined>): Promise<NetworkInfo[]> {
    const recs = await this.core.network.list(labels);
    return Promise.all(recs.map((r) => this.networkInfo(r)));
  }

  async inspectNetwork(ref: string): Promise<NetworkInfo> {
    return this.networkInfo(await this.core.network.inspect(ref));
  }

  async createNetwork(spec: Parameters<Engine['createNetwork']>[0]): Promise<string> {
    await this.ready();
    const rec = await this.core.network.create(spec);
    await this.core.emit('network', 'create', rec.id, { ...spec.labels, name: rec.name, type: rec.driver });
    return rec.id;
  }

  async removeNetwork(ref: string): Promise<void> {
    const rec = await this.core.network.inspect(ref);
    await this.core.network.remove(rec.id);
    await this.core.emit('network', 'destroy', rec.id, { ...rec.labels, name: rec.name, type: rec.driver });
  }

  listVolumes(labels: Record<string, string | undefined>): Promise<VolumeInfo[]> {
    return this.core.volumes.list(labels);
  }

  inspectVolume(name: string): Promise<VolumeInfo> {
    return this.core.volumes.inspect(name);
  }

  async createVolume(spec: Parameters<Engine['createVolume']>[0]): Promise<VolumeInfo> {
    const info = await this.core.volumes.create(spec);
    await this.core.emit('volume', 'create', info.name, { ...spec.labels, driver: info.driver });
    return info;
  }

  async removeVolume(name: string, force: boolean): Promise<void> {
    const users = (await this.core.containers.list())
      .filter((c) => c.record.mounts.some((m) => m.type === 'volume' && m.name === name))
      .map((c) => c.record.id);
    if (force && users.length === 0) {
      const exists = await this.core.volumes.inspect(name).catch((err: unknown) => {
        if (err instanceof EngineError && err.kind === 'not-found') return undefined;
        throw err;
      });
      if (exists === undefined) return;
    }
    const info = await this.core.volumes.inspect(name);
    await this.core.volumes.remove(name, users);
    await this.core.emit('volume', 'destroy', name, { ...info.labels, driver: info.driver });
  }

  inspectImage(ref: string): Promise<ImageInfo | undefined> {
    return this.core.images.inspect(ref);
  }

  async listImages(labels?: Record<string, string | undefined>): Promise<ImageInfo[]> {
    const all = await this.core.images.list();
    return labels === undefined ? all : all.filter((i) => matchesLabels(i.labels, labels));
  }

  async pullImage(ref: string, opts: Parameters<Engine['pullImage']>[1]): Promise<void> {
    let info;
    try {
      info = await this.core.images.pull(ref, {
        ...(opts.platform !== undefined ? { platform: opts.platform } : {}),
        ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}),
        ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
      });
    } catch (err) {
      if (err instanceof EngineError) throw err;
      const reason = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err);
      throw new EngineError('failed', 'pull image', ref, `pull image ${ref}: ${reason}`, { cause: err });
    }
    await this.core.emit('image', 'pull', info.id, { name: ref });
  }

  async buildImage(spec: Parameters<Engine['buildImage']>[0], opts: Parameters<Engine['buildImage']>[1]): Promise<string> {
    await this.ready();
    // The builder is loaded only by builds.
    const { buildWithRuntime } = await import('./engine-build.js');
    return buildWithRuntime(this.core, spec, opts);
  }

  async removeImage(ref: string, force: boolean): Promise<void> {
    const inUse = new Set((await this.core.containers.list()).map((c) => c.record.imageId));
    const result = await this.core.images.remove(ref, force, inUse);
    for (const id of result.deleted) await this.core.emit('image', 'delete', id, { name: ref });
  }

  async tagImage(ref: string, tag: string): Promise<void> {
    await this.core.images.tag(ref, tag);
    await this.core.emit('image', 'tag', ref, { name: tag });
  }

  events(opts: Parameters<Engine['events']>[0]): ReturnType<Engine['events']> {
    return this.core.events.read({ ...opts, follow: true });
  }
}
