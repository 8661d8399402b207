/**
 * The embedded engine's shared parts, opened once per process: the stores on disk, the OCI
 * runtime (detected lazily: `ps` or `config` never pay for it), the network manager and the
 * event log. Both the Engine (CLI side) and the monitor process work through a Core.
 */
import { readFile } from 'node:fs/promises';
import { EngineError } from '../engine-error.js';
import type { EngineEvent } from '../engine.js';
import { checkHost } from './host-check.js';
import type { HostTools } from './host-check.js';
import { ImageStore } from './image/image-store.js';
import { NetworkManager } from './network/network-manager.js';
import { embeddedPaths } from './paths.js';
import type { EmbeddedPaths } from './paths.js';
import { readHostFacts } from './runtime/host-facts.js';
import type { HostFacts } from './runtime/oci-config.js';
import { OciRuntime } from './runtime/runtime.js';
import { ContainerStore } from './state/container-store.js';
import { EventLog } from './state/event-log.js';
import { VolumeStore } from './state/volume-store.js';

export interface EmbeddedOptions {
  root: string;
  /** PATH to look tools up in. */
  pathEnv?: string;
  insecureRegistries?: readonly string[];
  dockerConfigPath?: string;
  /** `crun` or `runc`; detected when absent. */
  runtime?: 'crun' | 'runc';
  /** How ports are published: iptables rules, a userland proxy, or whichever works (default). */
  portPublish?: 'auto' | 'iptables' | 'proxy';
}

export class Core {
  readonly paths: EmbeddedPaths;
  readonly containers: ContainerStore;
  readonly volumes: VolumeStore;
  readonly network: NetworkManager;
  readonly events: EventLog;
  private runtimePromise: Promise<OciRuntime> | undefined;
  private factsPromise: Promise<HostFacts> | undefined;
  private toolsPromise: Promise<HostTools> | undefined;
  private bootIdPromise: Promise<string> | undefined;

  private constructor(readonly opts: EmbeddedOptions, readonly images: ImageStore) {
    this.paths = embeddedPaths(opts.root);
    this.containers = new ContainerStore(this.paths);
    this.volumes = new VolumeStore(this.paths);
    this.network = new NetworkManager(this.paths, opts.portPublish !== undefined ? { publish: opts.portPublish } : {});
    this.events = new EventLog(this.paths.events);
  }

  static async open(opts: EmbeddedOptions): Promise<Core> {
    try {
      return await Core.openUnchecked(opts);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') throw err;
      // Not root (or a root directory berth may not write): say what the engine needs.
      const uid = process.getuid?.() ?? 0;
      if (uid !== 0) await checkHost(opts.pathEnv, uid);
      throw new EngineError('unavailable', 'open embedded engine', opts.root,
        `the embedded engine cannot use its state directory ${opts.root}: ${(err as Error).message}`, { cause: err });
    }
  }

  private static async openUnchecked(opts: EmbeddedOptions): Promise<Core> {
    const paths = embeddedPaths(opts.root);
    const images = await ImageStore.open({
      root: paths.storeRoot,
      ...(opts.insecureRegistries !== undefined ? { insecureRegistries: opts.insecureRegistries } : {}),
      ...(opts.dockerConfigPath !== undefined ? { dockerConfigPath: opts.dockerConfigPath } : {}),
    });
    const core = new Core(opts, images);
    await core.containers.init();
    return core;
  }

  /** Host tools; throws a clear `unavailable` error when something is missing or not root. */
  tools(): Promise<HostTools> {
    this.toolsPromise ??= checkHost(this.opts.pathEnv, process.getuid?.() ?? -1);
    return this.toolsPromise;
  }

  runtime(): Promise<OciRuntime> {
    this.runtimePromise ??= this.tools().then(() => OciRuntime.detect({
      runtimeRoot: this.paths.runtimeRoot,
      workDir: this.paths.run,
      ...(this.opts.runtime !== undefined ? { prefer: this.opts.runtime } : {}),
    }));
    return this.runtimePromise;
  }

  hostFacts(): Promise<HostFacts> {
    this.factsPromise ??= readHostFacts();
    return this.factsPromise;
  }

  bootId(): Promise<string> {
    this.bootIdPromise ??= readFile('/proc/sys/kernel/random/boot_id', 'utf8').then((s) => s.trim(), () => 'unknown');
    return this.bootIdPromise;
  }

  async emit(type: EngineEvent['type'], action: string, id: string, attributes: Record<string, string>): Promise<void> {
    const now = BigInt(Date.now()) * 1_000_000n + BigInt(process.hrtime()[1] % 1_000_000);
    await this.events.append({ type, action, id, attributes, timeNano: now });
  }
}
