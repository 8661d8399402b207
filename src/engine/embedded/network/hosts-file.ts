/**
 * /etc/hosts and /etc/resolv.conf of a container. Name resolution between containers goes
 * through the hosts file (no DNS server), so it lists every peer on a shared network.
 */
import { closeSync, constants, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { isIpv6 } from './ipv4.js';
import type { EndpointRecord } from './network-types.js';

/** The network whose members do not resolve each other by name (Docker's default bridge). */
export const DEFAULT_BRIDGE = 'bridge';

const LOCAL_LINES = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/** `host:ip` / `host=ip` → [host, ip]; IPv6 addresses keep their colons (`h:::1` → `::1`). */
export function parseExtraHost(entry: string): { host: string; ip: string } | undefined {
  const eq = entry.indexOf('=');
  const sep = eq >= 0 ? eq : entry.indexOf(':');
  if (sep <= 0 || sep === entry.length - 1) return undefined;
  let ip = entry.slice(sep + 1);
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  return { host: entry.slice(0, sep), ip };
}

/** `name:alias` → [name, alias]; a bare `name` is its own alias. */
export function parseLink(entry: string): { name: string; alias: string } {
  const colon = entry.indexOf(':');
  const name = (colon >= 0 ? entry.slice(0, colon) : entry).replace(/^\//, '');
  const alias = colon >= 0 ? entry.slice(colon + 1).replace(/^.*\//, '') : name;
  return { name, alias };
}

function uniq(names: readonly string[]): string[] {
  return [...new Set(names.filter((n) => n !== ''))];
}

/**
 * Order (first match wins in resolvers): localhost block, extra_hosts (they override
 * everything, as in Docker where /etc/hosts beats the embedded DNS), the container's own
 * address, links, then one line per peer and shared network, peers sorted by name.
 */
export function renderHosts(self: EndpointRecord, all: readonly EndpointRecord[]): string {
  const lines = [...LOCAL_LINES];
  const first = self.networks[0];
  for (const entry of self.extraHosts) {
    const parsed = parseExtraHost(entry);
    if (parsed === undefined) continue;
    const ip = parsed.ip === 'host-gateway' ? first?.gateway : parsed.ip;
    if (ip !== undefined && ip !== '') lines.push(`${ip}\t${parsed.host}`);
  }
  if (first !== undefined) {
    const own = self.domainname !== undefined && self.domainname !== '' ? [`${self.hostname}.${self.domainname}`, self.hostname] : [self.hostname];
    lines.push(`${first.ipv4Address}\t${own.join(' ')}`);
  }
  // A peer set up ahead of its start is not reachable by name until it starts.
  const others = all.filter((r) => r.containerId !== self.containerId && r.dormant !== true);
  for (const link of self.links) {
    const { name, alias } = parseLink(link);
    const peer = others.find((r) => r.containerName === name || r.containerId === name || (name.length >= 12 && r.containerId.startsWith(name)));
    if (peer === undefined) continue;
    const shared = peer.networks.find((n) => self.networks.some((s) => s.networkId === n.networkId)) ?? peer.networks[0];
    if (shared !== undefined) lines.push(`${shared.ipv4Address}\t${uniq([alias, peer.hostname, peer.containerName]).join(' ')}`);
  }
  const peers = [...others].sort((a, b) => a.containerName.localeCompare(b.containerName) || a.containerId.localeCompare(b.containerId));
  for (const own of self.networks) {
    if (own.networkName === DEFAULT_BRIDGE) continue;
    for (const peer of peers) {
      const att = peer.networks.find((n) => n.networkId === own.networkId);
      if (att === undefined) continue;
      lines.push(`${att.ipv4Address}\t${uniq([peer.containerName, ...att.aliases, peer.hostname]).join(' ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export interface HostResolv {
  nameservers: string[];
  search: string[];
  options: string[];
}

export function parseResolvConf(text: string): HostResolv {
  const out: HostResolv = { nameservers: [], search: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0] !== undefined) out.nameservers.push(rest[0]);
    // The last search/domain line wins, as in resolv.conf(5).
    else if (key === 'search' || key === 'domain') out.search = rest;
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

function isLoopback(ns: string): boolean {
  return ns.startsWith('127.') || ns === '::1' || ns === '0:0:0:0:0:0:0:1';
}

/** Docker's fallback when the host only has loopback resolvers. */
export const FALLBACK_NAMESERVERS = ['8.8.8.8', '8.8.4.4'];

/**
 * resolv.conf like Docker's on a bridge network without its DNS server: the host's
 * nameservers minus loopback ones (unreachable from the container), the fallbacks when none
 * remain; `dns`, `dnsSearch`, `dnsOptions` replace the respective host values.
 */
export function renderResolvConf(hosts: readonly HostResolv[], override: { dns: readonly string[]; dnsSearch: readonly string[]; dnsOptions: readonly string[] }): string {
  let nameservers = [...override.dns];
  if (nameservers.length === 0) {
    for (const host of hosts) {
      nameservers = host.nameservers.filter((ns) => !isLoopback(ns) && !isIpv6(ns));
      if (nameservers.length > 0) break;
    }
    if (nameservers.length === 0) nameservers = [...FALLBACK_NAMESERVERS];
  }
  const host = hosts[0] ?? { nameservers: [], search: [], options: [] };
  const search = override.dnsSearch.length > 0 ? override.dnsSearch.filter((s) => s !== '.') : host.search;
  const options = override.dnsOptions.length > 0 ? override.dnsOptions : host.options;
  const lines = nameservers.map((ns) => `nameserver ${ns}`);
  if (search.length > 0) lines.push(`search ${search.join(' ')}`);
  if (options.length > 0) lines.push(`options ${options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Replaces the file's content without replacing the file: containers see it through a bind
 * mount of the inode, which a rename would leave pointing at the old content.
 * Returns false when the file is gone (container removed meanwhile).
 */
export function writeInPlace(path: string, content: string, create: boolean): Promise<boolean> {
  // Synchronous on purpose: a start rewrites every peer's small file, and async I/O costs the
  // thread pool round trips of five calls per file.
  let fd: number;
  try {
    fd = openSync(path, create ? constants.O_RDWR | constants.O_CREAT : constants.O_RDWR, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Promise.resolve(false);
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  try {
    const current = readFileSync(fd);
    const next = Buffer.from(content, 'utf8');
    if (current.equals(next)) return Promise.resolve(true);
    // Overwrite, then cut what is left: truncating to zero first would make ext4 flush the
    // file to disk on close (its replace-by-truncate heuristic), a wait on every rewrite.
    writeSync(fd, next, 0, next.length, 0);
    if (current.length > next.length) ftruncateSync(fd, next.length);
    return Promise.resolve(true);
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  } finally {
    closeSync(fd);
  }
}
