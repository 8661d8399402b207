/**
 * Bridge networks of the embedded engine (Docker parity for compose projects): networks as
 * Linux bridges with IPAM, containers in `ip netns` namespaces joined by veths, outbound NAT,
 * published ports through iptables DNAT, and name resolution through hosts files rewritten in
 * place. State lives on disk (see network-store.ts) so any berth process can act on it;
 * every change holds one lock.
 */
import { randomBytes } from 'node:crypto';
import type { NetworkAttachment, NetworkInfo, NetworkSpec } from '../../engine.js';
import { EngineError } from '../../engine-error.js';
import type { EmbeddedPaths } from '../paths.js';
import { createBridge, deleteBridge, hostRoutes, type NetContext } from './bridge.js';
import { activate, connect, createLinks, disconnect, planSetup, publishAndAnnounce, refreshHosts, teardownRecord, writeOwnHosts } from './container-net.js';
import { Firewall } from './firewall.js';
import { DEFAULT_BRIDGE } from './hosts-file.js';
import { toolPaths } from './host-tools.js';
import { pickSubnet, resolveIpamConfig } from './ipam.js';
import { cidrsOverlap, formatCidr, formatIpv4, isIpv6, parseCidr, type Cidr } from './ipv4.js';
import { bridgeName, namesFor } from './names.js';
import { findNetwork, NetworkStore } from './network-store.js';
import type { ContainerNetworkEntry, ContainerNetworkInput, ContainerNetworkResult, NetworkManagerOptions, NetworkRecord } from './network-types.js';
import { recover } from './recover.js';

export type {
  ContainerNetworkEntry, ContainerNetworkInput, ContainerNetworkResult, EndpointNetwork, EndpointPort, EndpointRecord, NetworkManagerOptions, NetworkRecord,
} from './network-types.js';
export { DEFAULT_BRIDGE } from './hosts-file.js';

function matchesLabels(labels: Record<string, string>, filter: Record<string, string | undefined>): boolean {
  return Object.entries(filter).every(([k, v]) => (v === undefined ? k in labels : labels[k] === v));
}

export class NetworkManager {
  private readonly ctx: NetContext;

  constructor(readonly paths: EmbeddedPaths, opts: NetworkManagerOptions = {}) {
    const names = namesFor(paths.root);
    const tools = toolPaths(opts);
    this.ctx = {
      root: paths.root, names, tools, firewall: new Firewall(tools, names, opts.publish ?? 'auto'),
      store: new NetworkStore(paths.networks), hostResolvConf: opts.hostResolvConf ?? '/etc/resolv.conf',
    };
  }

  /** 8 hex naming this root's host objects (chains `BERTH-<h>-…`, tags `berth:<h>:…`). */
  get rootHash(): string {
    return this.ctx.names.rootHash;
  }

  create(spec: NetworkSpec): Promise<NetworkRecord> {
    const op = 'create network';
    const driver = spec.driver ?? 'bridge';
    if (driver !== 'bridge') {
      return Promise.reject(new EngineError('unsupported', op, spec.name, `network driver ${driver} is not supported by the embedded engine (only bridge)`));
    }
    return this.ctx.store.locked(async () => {
      const nets = await this.ctx.store.networks();
      if (nets.some((n) => n.name === spec.name)) throw new EngineError('conflict', op, spec.name, `network with name ${spec.name} already exists`);
      const explicit = (spec.ipam?.config ?? []).find((c) => c.subnet !== undefined && c.subnet !== '' && !isIpv6(c.subnet));
      const ours = nets.flatMap((n) => { const c = parseCidr(n.subnet); return c === undefined ? [] : [c]; });
      let ipam;
      if (explicit?.subnet !== undefined) {
        const resolved = resolveIpamConfig({ ...explicit, subnet: explicit.subnet });
        if (typeof resolved === 'string') throw new EngineError('failed', op, spec.name, `invalid IPAM configuration of network ${spec.name}: ${resolved}`);
        const wanted = parseCidr(resolved.subnet) as Cidr;
        if (ours.some((c) => cidrsOverlap(c, wanted))) throw new EngineError('conflict', op, spec.name, `invalid pool request: Pool overlaps with other one on this address space (${resolved.subnet})`);
        ipam = resolved;
      } else {
        // The bridge needs the firewall chains: made while the host's routes are read.
        this.ctx.firewall.ensureBase().catch(() => undefined);
        const picked = pickSubnet([...(await hostRoutes(this.ctx.tools)), ...ours]);
        if (picked === undefined) {
          throw new EngineError('failed', op, spec.name, 'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
        }
        ipam = { subnet: formatCidr(picked), gateway: formatIpv4(picked.base + 1), reserved: [] };
      }
      const id = randomBytes(32).toString('hex');
      const rec: NetworkRecord = {
        id, name: spec.name, driver: 'bridge', labels: { ...spec.labels }, internal: spec.internal, attachable: spec.attachable,
        enableIpv6: spec.enableIpv6, ...ipam, bridge: bridgeName(this.ctx.root, id), created: new Date().toISOString(),
        options: { ...(spec.driverOpts ?? {}) },
      };
      await this.ctx.store.writeNetwork(rec);
      try {
        await createBridge(this.ctx, rec, op, true);
      } catch (err) {
        await deleteBridge(this.ctx, rec).catch(() => undefined);
        await this.ctx.store.deleteNetwork(id);
        throw err;
      }
      return rec;
    });
  }

  /** Networks whose labels match (`key` → value, or undefined for "present"), sorted by name. */
  async list(labels: Record<string, string | undefined> = {}): Promise<NetworkRecord[]> {
    const nets = await this.ctx.store.networks();
    return nets.filter((n) => matchesLabels(n.labels, labels)).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** By id, name or unique id prefix. */
  async inspect(ref: string, operation = 'inspect network'): Promise<NetworkRecord> {
    const net = findNetwork(await this.ctx.store.networks(), ref);
    if (net === undefined) throw new EngineError('not-found', operation, ref, `network ${ref} not found`);
    return net;
  }

  /** The engine-level view, with attached (running) container ids. */
  async info(ref: string): Promise<NetworkInfo> {
    const net = await this.inspect(ref);
    return { id: net.id, name: net.name, driver: net.driver, labels: net.labels, internal: net.internal, containers: await this.endpoints(net.id) };
  }

  /** Ids of the containers set up on the network, sorted. */
  async endpoints(ref: string): Promise<string[]> {
    const net = await this.inspect(ref);
    const eps = await this.ctx.store.endpoints();
    return eps.filter((e) => e.dormant !== true && e.networks.some((n) => n.networkId === net.id)).map((e) => e.containerId).sort();
  }

  remove(ref: string): Promise<void> {
    const op = 'remove network';
    return this.ctx.store.locked(async () => {
      const nets = await this.ctx.store.networks();
      const net = findNetwork(nets, ref);
      if (net === undefined) throw new EngineError('not-found', op, ref, `network ${ref} not found`);
      const eps = await this.ctx.store.endpoints();
      if (eps.some((e) => e.networks.some((n) => n.networkId === net.id))) {
        throw new EngineError('conflict', op, ref, `error while removing network: network ${net.name} id ${net.id} has active endpoints`);
      }
      await deleteBridge(this.ctx, net);
      await this.ctx.store.deleteNetwork(net.id);
      if (nets.length === 1) await this.ctx.firewall.removeBase();
    });
  }

  /** The network behind `network_mode: bridge`: `bridge`, created on first use. No name resolution on it. */
  async ensureDefaultBridge(): Promise<string> {
    const nets = await this.ctx.store.networks();
    if (nets.some((n) => n.name === DEFAULT_BRIDGE)) return DEFAULT_BRIDGE;
    try {
      await this.create({ name: DEFAULT_BRIDGE, labels: {}, internal: false, attachable: false, enableIpv6: false });
    } catch (err) {
      if (!(err instanceof EngineError && err.kind === 'conflict')) throw err;
    }
    return DEFAULT_BRIDGE;
  }

  /**
   * At container start, before the runtime creates the container: netns `bth-<h>-<12 hex>`,
   * one veth per attachment (eth0, eth1… in order), addresses, the default route via the first
   * non-internal network (highest gwPriority), published ports, hosts and resolv.conf; peers'
   * hosts files are rewritten in place. A previous setup of the same container is torn down first.
   */
  setupContainer(input: ContainerNetworkInput): Promise<ContainerNetworkResult> {
    return this.setUp(input, false);
  }

  /**
   * Like setupContainer, ahead of the container's start: everything but what peers and the
   * host see (names in their hosts files, published ports) — `activateContainer` adds those.
   * Addresses and host ports are allocated now, so the start cannot lose them.
   */
  prepareContainer(input: ContainerNetworkInput): Promise<ContainerNetworkResult> {
    return this.setUp(input, true);
  }

  private async setUp(input: ContainerNetworkInput, dormant: boolean): Promise<ContainerNetworkResult> {
    // Only allocation and the shared files hold the lock: containers starting at the same
    // time create their interfaces in parallel.
    const plan = await this.ctx.store.locked(() => planSetup(this.ctx, input, dormant));
    try {
      await createLinks(this.ctx, plan, input);
      return await this.ctx.store.locked(() => (dormant ? writeOwnHosts(this.ctx, plan.rec) : publishAndAnnounce(this.ctx, plan.rec)));
    } catch (err) {
      await this.ctx.store.locked(() => teardownRecord(this.ctx, plan.rec)).catch(() => undefined);
      throw err;
    }
  }

  /** Publishes the ports of a container prepared ahead and announces it to its peers. */
  activateContainer(containerId: string): Promise<ContainerNetworkResult> {
    return this.ctx.store.locked(() => activate(this.ctx, containerId));
  }

  /** Attaches a set-up (running) container to one more network. */
  connect(containerId: string, attachment: NetworkAttachment): Promise<ContainerNetworkEntry> {
    return this.ctx.store.locked(() => connect(this.ctx, containerId, attachment));
  }

  disconnect(containerId: string, network: string): Promise<void> {
    return this.ctx.store.locked(() => disconnect(this.ctx, containerId, network));
  }

  /** At stop/remove (after the container's processes are gone). Idempotent. */
  teardownContainer(containerId: string): Promise<void> {
    return this.ctx.store.locked(async () => {
      const rec = await this.ctx.store.endpoint(containerId);
      if (rec === undefined) return;
      await teardownRecord(this.ctx, rec);
      await refreshHosts(this.ctx);
    });
  }

  /**
   * Crash/reboot recovery: removes endpoints, netns, veths and rules of containers not in
   * `live`, bridges and rules of networks that no longer exist, and recreates the bridges,
   * chains and hooks of existing networks when missing.
   */
  recover(live: ReadonlySet<string> | ((containerId: string) => boolean)): Promise<void> {
    const isLive = typeof live === 'function' ? live : (id: string): boolean => live.has(id);
    return this.ctx.store.locked(() => recover(this.ctx, isLive));
  }
}
