/**
 * Published ports: resolves host ports (fixed, ranges, random) and checks they are free —
 * neither used by another berth container of this root nor bound by a host process (probed by
 * binding briefly; DNAT would otherwise silently steal the port from that process).
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { PortBinding } from '../../engine.js';
import { EngineError } from '../../engine-error.js';
import { isIpv6, parseIpv4 } from './ipv4.js';
import type { EndpointPort } from './network-types.js';

type Probe = 'free' | 'in-use' | 'unavailable';

function probeTcp(host: string, port: number): Promise<{ result: Probe; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve({ result: err.code === 'EADDRNOTAVAIL' ? 'unavailable' : 'in-use', port }));
    server.listen({ host, port, exclusive: true }, () => {
      const addr = server.address();
      const bound = typeof addr === 'object' && addr !== null ? addr.port : port;
      server.close(() => resolve({ result: 'free', port: bound }));
    });
  });
}

function probeUdp(host: string, port: number): Promise<{ result: Probe; port: number }> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.close();
      resolve({ result: err.code === 'EADDRNOTAVAIL' ? 'unavailable' : 'in-use', port });
    });
    socket.bind({ address: host, port, exclusive: true }, () => {
      const bound = socket.address().port;
      socket.close(() => resolve({ result: 'free', port: bound }));
    });
  });
}

function probe(protocol: EndpointPort['protocol'], host: string, port: number): Promise<{ result: Probe; port: number }> {
  switch (protocol) {
    case 'tcp':
      return probeTcp(host, port);
    case 'udp':
      return probeUdp(host, port);
    case 'sctp':
      // Node cannot bind SCTP; only berth's own allocations are checked.
      return Promise.resolve({ result: 'free', port });
  }
}

function clashes(a: { protocol: string; hostIp: string; hostPort: number }, b: { protocol: string; hostIp: string; hostPort: number }): boolean {
  return a.protocol === b.protocol && a.hostPort === b.hostPort && (a.hostIp === b.hostIp || a.hostIp === '0.0.0.0' || b.hostIp === '0.0.0.0');
}

function parseHostPorts(text: string): { first: number; last: number } | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text.trim());
  if (m === null) return undefined;
  const first = Number(m[1]);
  const last = m[2] !== undefined ? Number(m[2]) : first;
  return first >= 1 && last <= 65535 && first <= last ? { first, last } : undefined;
}

/**
 * Host side of each binding, checked free, in binding order. `taken` holds the ports of the
 * other berth containers. Throws EngineError conflict `Bind for <ip>:<port> failed: port is
 * already allocated` like dockerd.
 */
export async function resolvePorts(
  bindings: readonly PortBinding[],
  target: { containerIp: string; bridge: string },
  taken: readonly EndpointPort[],
  containerName: string,
): Promise<EndpointPort[]> {
  const out: EndpointPort[] = [];
  const fail = (kind: 'conflict' | 'failed' | 'unsupported', message: string): EngineError => new EngineError(kind, 'start container', containerName, message);
  for (const b of bindings) {
    const hostIp = b.hostIp === '' ? '0.0.0.0' : b.hostIp;
    if (isIpv6(hostIp)) {
      if (hostIp === '::' || hostIp === '[::]') continue; // IPv4 `0.0.0.0` covers the wildcard; no IPv6 publishing.
      throw fail('unsupported', `cannot publish port ${b.containerPort} on ${hostIp}: IPv6 host addresses are not supported by the embedded engine`);
    }
    if (parseIpv4(hostIp) === undefined) throw fail('failed', `invalid host IP address ${hostIp} for port ${b.containerPort}`);
    const busy = (port: number): boolean => [...taken, ...out].some((t) => clashes(t, { protocol: b.protocol, hostIp, hostPort: port }));
    const make = (hostPort: number): EndpointPort => ({ containerPort: b.containerPort, protocol: b.protocol, hostIp, hostPort, containerIp: target.containerIp, bridge: target.bridge });
    if (b.hostPort === '' || b.hostPort === '0') {
      let chosen: number | undefined;
      for (let attempt = 0; attempt < 50 && chosen === undefined; attempt += 1) {
        const r = await probe(b.protocol, hostIp, 0);
        if (r.result === 'unavailable') throw fail('failed', `Bind for ${hostIp}:0 failed: cannot assign requested address`);
        if (r.result === 'free' && r.port !== 0 && !busy(r.port)) chosen = r.port;
      }
      // SCTP cannot be probed: take the first port of the ephemeral range that berth does not use.
      for (let port = 32768; chosen === undefined && port <= 60999; port += 1) if (!busy(port)) chosen = port;
      if (chosen === undefined) throw fail('conflict', `Bind for ${hostIp}:0 failed: no free host port`);
      out.push(make(chosen));
      continue;
    }
    const range = parseHostPorts(b.hostPort);
    if (range === undefined) throw fail('failed', `invalid host port ${b.hostPort} for container port ${b.containerPort}`);
    let chosen: number | undefined;
    for (let port = range.first; port <= range.last && chosen === undefined; port += 1) {
      if (busy(port)) continue;
      const r = await probe(b.protocol, hostIp, port);
      if (r.result === 'unavailable') throw fail('failed', `Bind for ${hostIp}:${port} failed: cannot assign requested address`);
      if (r.result === 'free') chosen = port;
    }
    if (chosen === undefined) throw fail('conflict', `Bind for ${hostIp}:${b.hostPort} failed: port is already allocated`);
    out.push(make(chosen));
  }
  return out;
}
