/** Bridges of networks: creation with their firewall rules, removal, and what address space is in use. */
import { access, readFile, writeFile } from 'node:fs/promises';
import type { Firewall } from './firewall.js';
import { ipBatch, ipBatchForce, mustRun, type ToolPaths } from './host-tools.js';
import { parseCidr, type Cidr } from './ipv4.js';
import { networkTag, type Names } from './names.js';
import type { NetworkRecord } from './network-types.js';
import type { NetworkStore } from './network-store.js';

/** What the network code needs, built once per NetworkManager. */
export interface NetContext {
  root: string;
  names: Names;
  tools: ToolPaths;
  firewall: Firewall;
  store: NetworkStore;
  hostResolvConf: string;
}

export async function linkExists(name: string): Promise<boolean> {
  try {
    await access(`/sys/class/net/${name}`);
    return true;
  } catch {
    return false;
  }
}

async function setSysctl(path: string, value: string): Promise<void> {
  const current = await readFile(path, 'utf8').catch(() => '');
  if (current.trim() !== value) await writeFile(path, `${value}\n`);
}

/**
 * (Re)creates the bridge of a network, its sysctls and its firewall rules. A network created
 * just now (`fresh`, its id new) cannot have rules of its own yet: the lookup is skipped.
 */
export async function createBridge(ctx: NetContext, net: NetworkRecord, operation: string, fresh = false): Promise<void> {
  const tag = networkTag(ctx.names, net.id);
  // The chains and the bridge are independent: made at the same time.
  const base = ctx.firewall.ensureBase();
  base.catch(() => undefined);
  if (await linkExists(net.bridge)) await ipBatchForce(ctx.tools, [`link del ${net.bridge}`]);
  const prefix = net.subnet.slice(net.subnet.indexOf('/') + 1);
  await ipBatch(ctx.tools, [
    `link add ${net.bridge} type bridge`,
    `link set ${net.bridge} alias ${tag}`,
    `addr add ${net.gateway}/${prefix} dev ${net.bridge}`,
    `link set ${net.bridge} up`,
  ], { operation, resource: net.name, what: `cannot create bridge ${net.bridge} for network ${net.name}` });
  await base;
  await setSysctl(`/proc/sys/net/ipv4/conf/${net.bridge}/route_localnet`, '1');
  if (!net.internal) await setSysctl('/proc/sys/net/ipv4/ip_forward', '1');
  if (!fresh) await ctx.firewall.deleteTagged((t) => t === tag);
  await ctx.firewall.add(ctx.firewall.networkRules(net, tag));
}

export async function deleteBridge(ctx: NetContext, net: NetworkRecord): Promise<void> {
  await ipBatchForce(ctx.tools, [`link del ${net.bridge}`]);
  const tag = networkTag(ctx.names, net.id);
  await ctx.firewall.deleteTagged((t) => t === tag);
}

/** Creates the bridge when it is missing (after a reboot, or removed by hand). */
export async function ensureBridge(ctx: NetContext, net: NetworkRecord, operation: string): Promise<void> {
  if (!(await linkExists(net.bridge))) await createBridge(ctx, net, operation);
}

/** IPv4 destinations of every host route (all tables): Docker's bridges, VPNs, the LAN. */
export async function hostRoutes(tools: ToolPaths): Promise<Cidr[]> {
  const out = await mustRun(tools.ip, ['-4', '-j', 'route', 'show', 'table', 'all'], undefined, { operation: 'create network', resource: 'routes', what: 'cannot list host routes' });
  const routes = JSON.parse(out === '' ? '[]' : out) as Array<{ dst?: string; type?: string }>;
  return routes.flatMap((r) => {
    if (r.dst === undefined || r.dst === 'default') return [];
    const c = parseCidr(r.dst);
    return c === undefined ? [] : [c];
  });
}
