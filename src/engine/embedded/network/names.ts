/**
 * Host object names. Everything is derived from the engine root so two roots (and Docker)
 * never share a bridge, veth, netns, chain or rule; kernel interface names are ≤ 15 chars.
 */
import { createHash, randomBytes } from 'node:crypto';

function hex(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

export interface Names {
  /** 8 hex of the engine root's path. */
  rootHash: string;
  fwdChain: string;
  dnatChain: string;
  postChain: string;
  hookTag: string;
}

export function namesFor(root: string): Names {
  const rootHash = hex(root).slice(0, 8);
  return {
    rootHash,
    fwdChain: `BERTH-${rootHash}-FWD`,
    dnatChain: `BERTH-${rootHash}-DNAT`,
    postChain: `BERTH-${rootHash}-POST`,
    hookTag: `berth:${rootHash}:hook`,
  };
}

/** `bth-<8 hex>` (12 chars). */
export function bridgeName(root: string, networkId: string): string {
  return `bth-${hex(root, networkId).slice(0, 8)}`;
}

/** Host side of a container's veth: `bth-v<10 random hex>` (15 chars); found again through its ifalias. */
export function vethName(): string {
  return `bth-v${randomBytes(5).toString('hex')}`;
}

/** `ip netns` name: `bth-<root hash>-<12 hex of the container id>`. */
export function netnsName(names: Names, containerId: string): string {
  return `bth-${names.rootHash}-${containerId.slice(0, 12)}`;
}

export function netnsPath(name: string): string {
  return `/run/netns/${name}`;
}

/** Comment on a container's iptables rules and ifalias of its host veths. */
export function containerTag(names: Names, containerId: string): string {
  return `berth:${names.rootHash}:${containerId}`;
}

/** Comment on a network's iptables rules and ifalias of its bridge. */
export function networkTag(names: Names, networkId: string): string {
  return `berth:${names.rootHash}:net:${networkId}`;
}

/** Docker-style MAC from the address: 02:42 + the four address bytes. */
export function macFor(ipv4: string): string {
  return ['02', '42', ...ipv4.split('.').map((o) => Number(o).toString(16).padStart(2, '0'))].join(':');
}
