/**
 * Helpers for the network manager's root-only tests: a temp engine root, commands inside a
 * container netns with the container's hosts file bound at /etc/hosts, and a check that
 * nothing of the root is left on the host.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createConnection, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { embeddedPaths, type EmbeddedPaths } from '../../src/engine/embedded/paths.js';
import { NetworkManager } from '../../src/engine/embedded/network/network-manager.js';
import type { ContainerNetworkInput } from '../../src/engine/embedded/network/network-types.js';

export interface NetFixture {
  dir: string;
  paths: EmbeddedPaths;
  mgr: NetworkManager;
  /** A container input with files under the fixture dir. */
  input(name: string, over?: Partial<ContainerNetworkInput>): Promise<ContainerNetworkInput>;
  /** Tears everything down and returns what of this root is still on the host (should be empty). */
  cleanup(): Promise<string[]>;
}

export function run(file: string, args: readonly string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

export async function newFixture(): Promise<NetFixture> {
  const dir = await mkdtemp('/tmp/berth-net-');
  const paths = embeddedPaths(join(dir, 'root'), join(dir, 'run'));
  const resolv = join(dir, 'host-resolv.conf');
  await writeFile(resolv, 'nameserver 127.0.0.53\nnameserver 10.255.255.53\nsearch corp.test\n');
  const mgr = new NetworkManager(paths, { hostResolvConf: resolv });
  return {
    dir, paths, mgr,
    async input(name, over = {}) {
      const containerId = randomBytes(32).toString('hex');
      const cdir = join(dir, 'c', containerId);
      await mkdir(cdir, { recursive: true });
      return {
        containerId, containerName: name, hostname: containerId.slice(0, 12), attachments: [], ports: [], extraHosts: [], links: [],
        dns: [], dnsSearch: [], dnsOptions: [], hostsPath: join(cdir, 'hosts'), resolvConfPath: join(cdir, 'resolv.conf'), ...over,
      };
    },
    async cleanup() {
      await mgr.recover(new Set());
      for (const n of await mgr.list({})) await mgr.remove(n.id);
      const left = await leftovers(mgr.rootHash);
      await rm(dir, { recursive: true, force: true });
      return left;
    },
  };
}

/** Links, netns and iptables lines of this root still present. */
export async function leftovers(rootHash: string): Promise<string[]> {
  const out: string[] = [];
  const links = JSON.parse((await run('ip', ['-j', 'link', 'show'])).stdout) as Array<{ ifname: string; ifalias?: string }>;
  for (const l of links) if ((l.ifalias ?? '').includes(`berth:${rootHash}:`)) out.push(`link ${l.ifname}`);
  const ns = await readdir('/run/netns').catch(() => [] as string[]);
  for (const n of ns) if (n.startsWith(`bth-${rootHash}-`)) out.push(`netns ${n}`);
  for (const table of ['filter', 'nat']) {
    const saved = (await run('iptables-save', ['-t', table])).stdout;
    for (const line of saved.split('\n')) if (line.includes(`berth:${rootHash}:`) || line.includes(`BERTH-${rootHash}-`)) out.push(`${table}: ${line}`);
  }
  return out;
}

/** Runs a command in the netns with `hosts` bound over /etc/hosts (as the container sees it). */
export function inContainer(netnsPath: string, hosts: string, command: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = 'mount --bind "$1" /etc/hosts && ns="$2" && shift 2 && exec nsenter --net="$ns" "$@"';
  return run('unshare', ['-m', 'sh', '-c', script, 'sh', hosts, netnsPath, ...command]);
}

/** A Node server inside the netns (tcp: replies `hello <port>`; udp: echoes `pong:<msg>`); resolves once it listens. */
export async function serveInNetns(netnsPath: string, kind: 'tcp' | 'udp', port: number): Promise<ChildProcess> {
  const code = kind === 'tcp'
    ? `require('net').createServer((s) => s.end('hello ${port}')).listen(${port}, '0.0.0.0', () => console.log('ready'))`
    : `const s = require('dgram').createSocket('udp4'); s.on('message', (m, r) => s.send('pong:' + m, r.port, r.address)); s.bind(${port}, '0.0.0.0', () => console.log('ready'))`;
  const child = spawn('nsenter', [`--net=${netnsPath}`, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => reject(new Error(`server exited with ${c}`)));
    child.stdout?.once('data', () => resolve());
  });
  return child;
}

export function tcpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection({ host, port });
    let data = '';
    sock.setTimeout(3000, () => sock.destroy(new Error(`timeout connecting to ${host}:${port}`)));
    sock.on('data', (b: Buffer) => { data += b.toString(); });
    sock.on('error', reject);
    sock.on('end', () => resolve(data));
  });
}

export function udpAsk(host: string, port: number, msg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => { s.close(); reject(new Error(`no udp reply from ${host}:${port}`)); }, 3000);
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(m.toString()); });
    s.send(msg, port, host);
  });
}

export function listenTcp(host: string, port: number): Promise<{ port: number; close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve({ port: typeof addr === 'object' && addr !== null ? addr.port : port, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

/** A non-loopback IPv4 address of the host (not one of berth's or Docker's bridges). */
export function hostAddress(): string {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (name.startsWith('bth-') || name.startsWith('docker') || name.startsWith('br-')) continue;
    const a = (addrs ?? []).find((x) => x.family === 'IPv4' && !x.internal);
    if (a !== undefined) return a.address;
  }
  throw new Error('no host address');
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}
