/**
 * Address management: picking a subnet for a new network and an address for an endpoint.
 * Pure functions; the caller gathers what is in use (host routes, other networks, endpoints).
 */
import { cidrContains, cidrSize, cidrsOverlap, formatCidr, formatIpv4, parseCidr, parseIpv4, type Cidr } from './ipv4.js';

/**
 * Docker's default pools, 172.17–31.0.0/16 then 192.168.0.0/16 cut into /20s, with the 172
 * ones taken from the top down: a dockerd on the same host allocates from the bottom up, and
 * two allocators creating networks at the same moment (each skipping only the subnets it
 * already sees on the host) would otherwise pick the same subnet.
 */
export function defaultPools(): Cidr[] {
  const pools: Cidr[] = [];
  for (let b = 31; b >= 17; b -= 1) pools.push({ base: ((172 << 24) | (b << 16)) >>> 0, prefix: 16 });
  for (let c = 0; c < 256; c += 16) pools.push({ base: ((192 << 24) | (168 << 16) | (c << 8)) >>> 0, prefix: 20 });
  return pools;
}

/** The first pool overlapping none of `used`; undefined when all are taken. */
export function pickSubnet(used: readonly Cidr[], pools: readonly Cidr[] = defaultPools()): Cidr | undefined {
  return pools.find((pool) => !used.some((u) => cidrsOverlap(pool, u)));
}

export interface IpamConfig {
  subnet: string;
  gateway: string;
  ipRange?: string;
  reserved: string[];
}

/**
 * Validates an explicit `ipam.config` entry (IPv4) and fills in the gateway (first host
 * address). Returns an error message instead of throwing, so the caller phrases the error.
 */
export function resolveIpamConfig(entry: { subnet: string; gateway?: string; ipRange?: string; auxAddresses?: Record<string, string> }): IpamConfig | string {
  const subnet = parseCidr(entry.subnet);
  if (subnet === undefined || !entry.subnet.includes('/')) return `invalid subnet ${entry.subnet}`;
  if (subnet.prefix > 30) return `subnet ${entry.subnet} is too small`;
  const normalized = formatCidr(subnet);
  let gateway = subnet.base + 1;
  if (entry.gateway !== undefined && entry.gateway !== '') {
    const gw = parseIpv4(entry.gateway);
    if (gw === undefined || !cidrContains(subnet, gw)) return `gateway ${entry.gateway} is not in subnet ${normalized}`;
    gateway = gw;
  }
  let ipRange: string | undefined;
  if (entry.ipRange !== undefined && entry.ipRange !== '') {
    const range = parseCidr(entry.ipRange);
    if (range === undefined || range.base < subnet.base || range.base + cidrSize(range) > subnet.base + cidrSize(subnet)) {
      return `ip range ${entry.ipRange} is not in subnet ${normalized}`;
    }
    ipRange = formatCidr(range);
  }
  const reserved: string[] = [];
  for (const [name, addr] of Object.entries(entry.auxAddresses ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const ip = parseIpv4(addr);
    if (ip === undefined || !cidrContains(subnet, ip)) return `auxiliary address ${name}=${addr} is not in subnet ${normalized}`;
    reserved.push(formatIpv4(ip));
  }
  return { subnet: normalized, gateway: formatIpv4(gateway), ...(ipRange !== undefined ? { ipRange } : {}), reserved };
}

export interface AddressPool {
  subnet: string;
  gateway: string;
  ipRange?: string;
  reserved: readonly string[];
}

/** Addresses that can never be handed out: network, broadcast, gateway, auxiliary. */
function unusable(net: AddressPool, subnet: Cidr): Set<number> {
  const out = new Set<number>([subnet.base, subnet.base + cidrSize(subnet) - 1]);
  for (const a of [net.gateway, ...net.reserved]) {
    const ip = parseIpv4(a);
    if (ip !== undefined) out.add(ip);
  }
  return out;
}

/** The lowest free address of the pool (inside ipRange when set), or undefined when full. */
export function allocateAddress(net: AddressPool, taken: ReadonlySet<string>): string | undefined {
  const subnet = parseCidr(net.subnet);
  if (subnet === undefined) return undefined;
  const range = net.ipRange !== undefined ? parseCidr(net.ipRange) ?? subnet : subnet;
  const skip = unusable(net, subnet);
  const end = range.base + cidrSize(range);
  for (let ip = range.base; ip < end; ip += 1) {
    if (skip.has(ip)) continue;
    const text = formatIpv4(ip);
    if (!taken.has(text)) return text;
  }
  return undefined;
}

/** Why a requested static address cannot be used, or undefined when it can. */
export function checkStaticAddress(net: AddressPool, address: string, taken: ReadonlySet<string>): string | undefined {
  const subnet = parseCidr(net.subnet);
  const ip = parseIpv4(address);
  if (subnet === undefined || ip === undefined) return `invalid IPv4 address ${address}`;
  if (!cidrContains(subnet, ip)) return `address ${address} is not in subnet ${net.subnet}`;
  if (unusable(net, subnet).has(ip)) return `address ${address} is reserved in subnet ${net.subnet}`;
  if (taken.has(formatIpv4(ip))) return `address ${address} is already in use`;
  return undefined;
}
