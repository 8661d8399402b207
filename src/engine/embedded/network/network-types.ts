/**
 * On-disk records and the input/output shapes of the embedded engine's network manager.
 * Records live under `paths.networks`: `<network id>.json` (NetworkRecord) and
 * `endpoints/<container id>.json` (EndpointRecord), so any berth process can regenerate
 * every container's hosts file from disk alone.
 */
import type { Labels, NetworkAttachment, PortBinding, PublishedPort } from '../../engine.js';

export interface NetworkRecord {
  /** 64 lowercase hex. */
  id: string;
  name: string;
  driver: 'bridge';
  labels: Labels;
  internal: boolean;
  attachable: boolean;
  /** Recorded only: the embedded engine configures IPv4 alone. */
  enableIpv6: boolean;
  /** IPv4 CIDR, e.g. `172.18.0.0/16`. */
  subnet: string;
  gateway: string;
  /** Allocation range inside the subnet (CIDR), when `ipam.config[].ipRange` gave one. */
  ipRange?: string;
  /** Addresses never handed out (ipam `auxAddresses` values). */
  reserved: string[];
  /** Bridge interface (≤ 15 chars): `bth-<8 hex>`. */
  bridge: string;
  /** ISO-8601. */
  created: string;
  options: Record<string, string>;
}

/** One network attachment of a set-up container. */
export interface EndpointNetwork {
  networkId: string;
  networkName: string;
  ipv4Address: string;
  /** Prefix length of the network's subnet. */
  prefixLength: number;
  gateway: string;
  macAddress: string;
  /** Interface inside the container (`eth0`, …). */
  ifname: string;
  /** Host side of the veth pair. */
  hostVeth: string;
  aliases: string[];
}

/** A port rule as installed (host side resolved). */
export interface EndpointPort extends PublishedPort {
  protocol: 'tcp' | 'udp' | 'sctp';
  /** Where the DNAT goes. */
  containerIp: string;
  bridge: string;
}

export interface EndpointRecord {
  containerId: string;
  containerName: string;
  hostname: string;
  domainname?: string;
  /** `ip netns` name: `bth-<root hash>-<12 hex of id>`. */
  netns: string;
  hostsPath: string;
  resolvConfPath: string;
  extraHosts: string[];
  /** `name:alias` (or `name`). */
  links: string[];
  /** Network name → attachment, in attachment order (first = eth0). */
  networks: EndpointNetwork[];
  ports: EndpointPort[];
  /** The userland proxy publishing `ports` when the host has no usable iptables. */
  proxyPid?: number;
  /**
   * Set up ahead of the container's start: peers do not see its names and its ports are not
   * published until it is activated.
   */
  dormant?: true;
}

export interface ContainerNetworkInput {
  containerId: string;
  containerName: string;
  hostname: string;
  domainname?: string;
  /** In order: the first one becomes eth0. At least one. */
  attachments: NetworkAttachment[];
  ports: PortBinding[];
  /** `host:ip` or `host=ip`; `host-gateway` as ip = the gateway of the first network. */
  extraHosts: string[];
  /** `name:alias` or `name`. */
  links: string[];
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  /** Rewritten in place (never replaced), so a bind mount of it sees updates. */
  hostsPath: string;
  resolvConfPath: string;
}

export interface ContainerNetworkEntry {
  networkId: string;
  ipv4Address: string;
  macAddress: string;
  gateway: string;
  aliases: string[];
}

export interface ContainerNetworkResult {
  /** `/run/netns/<name>`: give it to the runtime as the network namespace path. */
  netnsPath: string;
  /** Network name → attachment. */
  networks: Record<string, ContainerNetworkEntry>;
  ports: PublishedPort[];
}

export interface NetworkManagerOptions {
  /** Default `iptables` (PATH); `iptables-save`/`iptables-restore` are taken from the same directory. */
  iptablesPath?: string;
  /** Default `ip`. */
  ipPath?: string;
  /** The host's resolver configuration (default /etc/resolv.conf). */
  hostResolvConf?: string;
  /**
   * How ports are published: iptables rules, or a userland proxy per container (`auto`: rules
   * when iptables works on this host, the proxy otherwise).
   */
  publish?: 'auto' | 'iptables' | 'proxy';
}
