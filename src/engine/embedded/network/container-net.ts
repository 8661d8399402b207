/**
 * Per-container networking: netns + one veth per attachment, addresses, default route,
 * published ports, hosts/resolv.conf. Callers hold the store lock.
 */
import { access, readFile } from 'node:fs/promises';
import type { NetworkAttachment } from '../../engine.js';
import { EngineError } from '../../engine-error.js';
import { ensureBridge, type NetContext } from './bridge.js';
import { parseResolvConf, renderHosts, renderResolvConf, writeInPlace } from './hosts-file.js';
import { ipBatch, ipBatchForce } from './host-tools.js';
import { allocateAddress, checkStaticAddress } from './ipam.js';
import { containerTag, macFor, netnsName, netnsPath, vethName } from './names.js';
import { findNetwork } from './network-store.js';
import type { ContainerNetworkEntry, ContainerNetworkInput, ContainerNetworkResult, EndpointNetwork, EndpointPort, EndpointRecord, NetworkRecord } from './network-types.js';
import { startPortProxy, stopPortProxy } from './port-proxy.js';
import { resolvePorts } from './ports.js';

/** Rewrites (in place, only when changed) the hosts file of every set-up container. */
export async function refreshHosts(ctx: NetContext, createFor?: string): Promise<void> {
  const all = await ctx.store.endpoints();
  await Promise.all(all.map((r) => writeInPlace(r.hostsPath, renderHosts(r, all), r.containerId === createFor)));
}

async function hostResolvers(ctx: NetContext): Promise<ReturnType<typeof parseResolvConf>[]> {
  // With only loopback resolvers (systemd-resolved's stub), Docker reads the upstream list instead.
  const files = [ctx.hostResolvConf, '/run/systemd/resolve/resolv.conf'];
  const texts = await Promise.all(files.map((f) => readFile(f, 'utf8').catch(() => undefined)));
  return texts.flatMap((t) => (t === undefined ? [] : [parseResolvConf(t)]));
}

function takenOn(all: readonly EndpointRecord[], networkId: string, except: string): Set<string> {
  return new Set(all.filter((r) => r.containerId !== except).flatMap((r) => r.networks.filter((n) => n.networkId === networkId).map((n) => n.ipv4Address)));
}

function notFound(operation: string, resource: string, ref: string): EngineError {
  return new EngineError('not-found', operation, resource, `network ${ref} not found`);
}

/** Address + names of one new attachment (nothing created yet). */
function planEndpoint(ctx: NetContext, net: NetworkRecord, att: NetworkAttachment, ifname: string, containerId: string, all: readonly EndpointRecord[], pending: readonly EndpointNetwork[], ctxErr: { operation: string; resource: string }): EndpointNetwork {
  const taken = takenOn(all, net.id, containerId);
  for (const p of pending) if (p.networkId === net.id) taken.add(p.ipv4Address);
  let ip: string | undefined;
  if (att.ipv4Address !== undefined && att.ipv4Address !== '') {
    const why = checkStaticAddress(net, att.ipv4Address, taken);
    if (why !== undefined) throw new EngineError(why.endsWith('already in use') ? 'conflict' : 'failed', ctxErr.operation, ctxErr.resource, `cannot assign ${att.ipv4Address} on network ${net.name}: ${why}`);
    ip = att.ipv4Address;
  } else {
    ip = allocateAddress(net, taken);
    if (ip === undefined) throw new EngineError('conflict', ctxErr.operation, ctxErr.resource, `no available IPv4 addresses on network ${net.name} (${net.subnet})`);
  }
  return {
    networkId: net.id,
    networkName: net.name,
    ipv4Address: ip,
    prefixLength: Number(net.subnet.slice(net.subnet.indexOf('/') + 1)),
    gateway: net.gateway,
    macAddress: att.macAddress !== undefined && att.macAddress !== '' ? att.macAddress.toLowerCase() : macFor(ip),
    ifname,
    hostVeth: vethName(),
    aliases: [...new Set(att.aliases)],
  };
}

function hostLines(ep: EndpointNetwork, ns: string, bridge: string, tag: string): string[] {
  return [
    `link add ${ep.hostVeth} type veth peer name ${ep.ifname} address ${ep.macAddress} netns ${ns}`,
    `link set ${ep.hostVeth} master ${bridge} alias ${tag} up`,
  ];
}

function nsLines(ep: EndpointNetwork): string[] {
  return [`addr add ${ep.ipv4Address}/${ep.prefixLength} dev ${ep.ifname}`, `link set ${ep.ifname} up`];
}

export function entryOf(ep: EndpointNetwork): ContainerNetworkEntry {
  return { networkId: ep.networkId, ipv4Address: ep.ipv4Address, macAddress: ep.macAddress, gateway: ep.gateway, aliases: ep.aliases };
}

export function resultOf(rec: EndpointRecord): ContainerNetworkResult {
  const networks: Record<string, ContainerNetworkEntry> = {};
  for (const ep of rec.networks) networks[ep.networkName] = entryOf(ep);
  return {
    netnsPath: netnsPath(rec.netns),
    networks,
    ports: rec.ports.map((p) => ({ containerPort: p.containerPort, protocol: p.protocol, hostIp: p.hostIp, hostPort: p.hostPort })),
  };
}

/** A container's network, planned and recorded (addresses allocated), nothing created yet. */
export interface PlannedSetup {
  rec: EndpointRecord;
  inside: string[];
  host: string[];
  op: { operation: string; resource: string };
}

/**
 * Phase 1 of a setup, under the network lock: allocates addresses and ports, makes sure the
 * bridges exist, and records the endpoint before anything is created (so a crash mid-way
 * leaves something teardown can find).
 */
export async function planSetup(ctx: NetContext, input: ContainerNetworkInput, dormant = false): Promise<PlannedSetup> {
  const op = { operation: 'start container', resource: input.containerName };
  const previous = await ctx.store.endpoint(input.containerId);
  if (previous !== undefined) await teardownRecord(ctx, previous);
  const [nets, all] = await Promise.all([ctx.store.networks(), ctx.store.endpoints()]);
  const seen = new Set<string>();
  const planned: Array<{ net: NetworkRecord; ep: EndpointNetwork; gwPriority: number }> = [];
  for (const att of input.attachments) {
    const net = findNetwork(nets, att.network);
    if (net === undefined) throw notFound(op.operation, op.resource, att.network);
    if (seen.has(net.id)) continue;
    seen.add(net.id);
    const ep = planEndpoint(ctx, net, att, att.interfaceName ?? `eth${planned.length}`, input.containerId, all, planned.map((p) => p.ep), op);
    planned.push({ net, ep, gwPriority: att.gwPriority ?? 0 });
  }
  if (planned.length === 0) throw new EngineError('failed', op.operation, op.resource, 'no network to attach');
  // Default route: the highest gw priority among non-internal networks, first one on ties.
  let gw: (typeof planned)[number] | undefined;
  for (const p of planned) if (!p.net.internal && (gw === undefined || p.gwPriority > gw.gwPriority)) gw = p;
  const otherPorts = all.filter((r) => r.containerId !== input.containerId).flatMap((r) => r.ports);
  const ports: EndpointPort[] = gw === undefined ? [] : await resolvePorts(input.ports, { containerIp: gw.ep.ipv4Address, bridge: gw.net.bridge }, otherPorts, input.containerName);
  const ns = netnsName(ctx.names, input.containerId);
  const rec: EndpointRecord = {
    containerId: input.containerId,
    containerName: input.containerName,
    hostname: input.hostname,
    ...(input.domainname !== undefined && input.domainname !== '' ? { domainname: input.domainname } : {}),
    netns: ns,
    hostsPath: input.hostsPath,
    resolvConfPath: input.resolvConfPath,
    extraHosts: input.extraHosts,
    links: input.links,
    networks: planned.map((p) => p.ep),
    ports,
    ...(dormant ? { dormant: true as const } : {}),
  };
  for (const p of planned) await ensureBridge(ctx, p.net, op.operation);
  await ctx.store.writeEndpoint(rec);
  const tag = containerTag(ctx.names, input.containerId);
  return {
    rec,
    op,
    host: [`netns add ${ns}`, ...planned.flatMap((p) => hostLines(p.ep, ns, p.net.bridge, tag))],
    inside: ['link set lo up', ...planned.flatMap((p) => nsLines(p.ep)), ...(gw !== undefined ? [`route add default via ${gw.ep.gateway} dev ${gw.ep.ifname}`] : [])],
  };
}

/**
 * Phase 2, without the lock (its names are the container's own): namespace, veths, addresses,
 * routes and resolv.conf. The caller tears the record down (under the lock) when it fails.
 */
export async function createLinks(ctx: NetContext, plan: PlannedSetup, input: ContainerNetworkInput): Promise<void> {
  await ipBatch(ctx.tools, plan.host, { ...plan.op, what: 'cannot create the container network interfaces' });
  await ipBatch(ctx.tools, plan.inside, { ...plan.op, what: 'cannot configure the container network interfaces' }, plan.rec.netns);
  await writeInPlace(input.resolvConfPath, renderResolvConf(await hostResolvers(ctx), input), true);
}

/** Phase 3, under the lock: port rules, and every hosts file (the new container's and its peers'). */
export async function publishAndAnnounce(ctx: NetContext, rec: EndpointRecord): Promise<ContainerNetworkResult> {
  if (await ctx.firewall.usable()) {
    await ctx.firewall.add(ctx.firewall.portRules(rec.ports, containerTag(ctx.names, rec.containerId)));
  } else if (rec.ports.length > 0) {
    rec.proxyPid = await startPortProxy(rec.ports, rec.containerName);
    await ctx.store.writeEndpoint(rec);
  }
  await refreshHosts(ctx, rec.containerId);
  return resultOf(rec);
}

/** Phase 3 of a setup ahead of the start, under the lock: only the container's own hosts file. */
export async function writeOwnHosts(ctx: NetContext, rec: EndpointRecord): Promise<ContainerNetworkResult> {
  await writeInPlace(rec.hostsPath, renderHosts(rec, await ctx.store.endpoints()), true);
  return resultOf(rec);
}

/** At the start of a container set up ahead: its names and ports become visible. Under the lock. */
export async function activate(ctx: NetContext, containerId: string): Promise<ContainerNetworkResult> {
  const found = await ctx.store.endpoint(containerId);
  if (found === undefined) throw notRunning('start container', containerId);
  // Activated already by a start that was killed before it finished: ports are published.
  if (found.dormant !== true) {
    await refreshHosts(ctx, containerId);
    return resultOf(found);
  }
  const rec: EndpointRecord = { ...found };
  delete rec.dormant;
  await ctx.store.writeEndpoint(rec);
  return publishAndAnnounce(ctx, rec);
}

/** Removes links, netns, port rules and the record; peers' hosts files are the caller's job. */
export async function teardownRecord(ctx: NetContext, rec: EndpointRecord): Promise<void> {
  if (rec.proxyPid !== undefined) stopPortProxy(rec.proxyPid);
  const nsExists = await access(netnsPath(rec.netns)).then(() => true, () => false);
  // Deleting the netns takes its veths with it, asynchronously in the kernel (2 ms here);
  // `link del` waits for RCU (10–40 ms). Veth names are random, so a quick re-setup of the
  // same container never collides with a pair still being destroyed.
  const links = ipBatchForce(ctx.tools, nsExists ? [`netns del ${rec.netns}`] : rec.networks.map((n) => `link del ${n.hostVeth}`));
  // A dormant endpoint never had its ports published.
  const rules = rec.dormant === true ? Promise.resolve() : ctx.firewall.remove(ctx.firewall.portRules(rec.ports, containerTag(ctx.names, rec.containerId)));
  const settled = await Promise.allSettled([links, rules]);
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  await ctx.store.deleteEndpoint(rec.containerId);
}

function notRunning(operation: string, containerId: string): EngineError {
  return new EngineError('conflict', operation, containerId, `container ${containerId} is not running: its network is not set up`);
}

export async function connect(ctx: NetContext, containerId: string, att: NetworkAttachment): Promise<ContainerNetworkEntry> {
  const op = { operation: 'connect network', resource: att.network };
  const rec = await ctx.store.endpoint(containerId);
  if (rec === undefined) throw notRunning(op.operation, containerId);
  const [nets, all] = await Promise.all([ctx.store.networks(), ctx.store.endpoints()]);
  const net = findNetwork(nets, att.network);
  if (net === undefined) throw notFound(op.operation, op.resource, att.network);
  if (rec.networks.some((n) => n.networkId === net.id)) {
    throw new EngineError('conflict', op.operation, op.resource, `endpoint with name ${rec.containerName} already exists in network ${net.name}`);
  }
  const used = new Set(rec.networks.map((n) => n.ifname));
  let index = 0;
  while (used.has(`eth${index}`)) index += 1;
  const ep = planEndpoint(ctx, net, att, att.interfaceName ?? `eth${index}`, containerId, all, [], op);
  await ensureBridge(ctx, net, op.operation);
  const tag = containerTag(ctx.names, containerId);
  const next: EndpointRecord = { ...rec, networks: [...rec.networks, ep] };
  await ctx.store.writeEndpoint(next);
  try {
    await ipBatch(ctx.tools, hostLines(ep, rec.netns, net.bridge, tag), { ...op, what: `cannot connect ${rec.containerName}` });
    await ipBatch(ctx.tools, nsLines(ep), { ...op, what: `cannot configure ${ep.ifname} of ${rec.containerName}` }, rec.netns);
  } catch (err) {
    await ipBatchForce(ctx.tools, [`link del ${ep.hostVeth}`]);
    await ctx.store.writeEndpoint(rec);
    throw err;
  }
  await refreshHosts(ctx);
  return entryOf(ep);
}

export async function disconnect(ctx: NetContext, containerId: string, network: string): Promise<void> {
  const op = { operation: 'disconnect network', resource: network };
  const rec = await ctx.store.endpoint(containerId);
  if (rec === undefined) throw notRunning(op.operation, containerId);
  const net = findNetwork(await ctx.store.networks(), network);
  const ep = rec.networks.find((n) => n.networkId === net?.id || n.networkName === network);
  if (ep === undefined) throw new EngineError('conflict', op.operation, op.resource, `container ${rec.containerName} is not connected to network ${network}`);
  await ipBatchForce(ctx.tools, [`link del ${ep.hostVeth}`]);
  const keep = rec.ports.filter((p) => p.containerIp !== ep.ipv4Address);
  if (keep.length !== rec.ports.length) {
    const tag = containerTag(ctx.names, containerId);
    await ctx.firewall.remove(ctx.firewall.portRules(rec.ports.filter((p) => !keep.includes(p)), tag));
  }
  await ctx.store.writeEndpoint({ ...rec, networks: rec.networks.filter((n) => n !== ep), ports: keep });
  await refreshHosts(ctx);
}
