/**
 * Helpers of network-parity.test.ts: name resolution and reachability probed from inside a
 * container (busybox only), free host ports, and host-side TCP/UDP clients.
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import type { TestProject } from '../helpers/project-fixture.js';

const execFileAsync = promisify(execFile);

/** Output of `sh -c script` run in the service's container (exit code must be 0). */
export async function shIn(p: TestProject, service: string, script: string): Promise<string> {
  return (await p.ok(['exec', '-T', service, 'sh', '-c', script])).stdout;
}

export interface Resolved {
  /** The address the name resolved to, or undefined when it did not resolve. */
  address: string | undefined;
  /** Whether a ping got an answer (up to three are sent, one at a time, until one is answered). */
  answered: boolean;
}

/**
 * Resolves each name from inside `service` with busybox ping (which uses the container's
 * resolver: /etc/hosts, then DNS), and pings it: once, and twice more if unanswered (a loaded
 * machine can lose the first packet's ARP round; a blocked path loses all three).
 */
export async function resolveFrom(p: TestProject, service: string, names: string[]): Promise<Map<string, Resolved>> {
  // Only a name that resolved and went unanswered is tried again (a lookup failure can be slow).
  const ping = 'r=$(ping -c1 -W1 "$n" 2>&1); echo "$r"; case "$r" in *" 0 packets received"*) ping -c1 -W2 "$n" 2>&1 || ping -c1 -W2 "$n" 2>&1;; esac';
  const out = await shIn(p, service, `for n in ${names.join(' ')}; do echo "== $n"; ${ping}; done; true`);
  const result = new Map<string, Resolved>();
  for (const block of out.split(/^== /m).slice(1)) {
    const name = block.slice(0, block.indexOf('\n'));
    const address = /^PING \S+ \(([\d.]+)\)/m.exec(block)?.[1];
    result.set(name, { address, answered: /\b1 packets received\b/.test(block) });
  }
  return result;
}

/** The addresses `names` resolve to from `service` (undefined: did not resolve). */
export async function addressesFrom(p: TestProject, service: string, names: string[]): Promise<Record<string, string | undefined>> {
  const resolved = await resolveFrom(p, service, names);
  return Object.fromEntries(names.map((n) => [n, resolved.get(n)?.address]));
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * The first of `count` consecutive TCP ports that are free on the host, below the ephemeral
 * range (so no random binding takes them meanwhile). `band` keeps callers that run at the
 * same time (the two engines) apart.
 */
export async function freePorts(count: number, band: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20_000 + band * 4_000 + Math.floor(Math.random() * 3_900);
    const free = await Promise.all(Array.from({ length: count }, (_, i) => tcpFree(first + i)));
    if (free.every(Boolean)) return first;
  }
  throw new Error(`no ${count} consecutive free ports in band ${band}`);
}

/** GET http://host:port/ → the body (rejects on connection errors and after 3 s). */
export function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host, port, path: '/', timeout: 3_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${host}:${port} timed out`)));
    req.on('error', reject);
  });
}

/** Sends one UDP datagram to host:port. */
export function sendUdp(host: string, port: number, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.send(text, port, host, (err) => {
      socket.close();
      if (err) reject(err);
      else resolve();
    });
  });
}

/**
 * The container's UDP `NoPorts` counter (/proc/net/snmp of its network namespace): it counts
 * datagrams that arrived for a port nobody listens on. busybox has no UDP server (its nc has no
 * -u), so a published UDP port is shown to forward by this counter going up.
 */
export async function udpNoPorts(p: TestProject, service: string): Promise<number> {
  const lines = (await shIn(p, service, 'grep "^Udp:" /proc/net/snmp')).trim().split('\n');
  const [names, values] = lines.map((l) => l.split(/\s+/).slice(1));
  const i = names?.indexOf('NoPorts') ?? -1;
  const v = values?.[i];
  if (i < 0 || v === undefined) throw new Error(`no Udp NoPorts in /proc/net/snmp: ${lines.join(' / ')}`);
  return Number(v);
}

/** stdout of a host command, or '' when it fails (e.g. `ip netns list` with no netns dir). */
export async function hostOutput(file: string, args: string[]): Promise<string> {
  try {
    return (await execFileAsync(file, args, { maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch {
    return '';
  }
}
