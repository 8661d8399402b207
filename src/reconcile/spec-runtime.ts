import type { HealthcheckSpec, PortBinding, RestartPolicy, Ulimit } from '../engine/engine.js';
import { ByteSizeError, parseBytes } from '../model/bytes.js';
import { DurationError, durationMs } from '../model/duration.js';
import type { ServiceConfig, ServicePort } from '../model/project.js';
import { SpecError } from './spec-error.js';

export function bytes(service: string, field: string, value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseBytes(value);
  } catch (err) {
    if (err instanceof ByteSizeError) throw new SpecError(`service "${service}": ${field}: ${err.message}`);
    throw err;
  }
}

export function ms(service: string, field: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return durationMs(value);
  } catch (err) {
    if (err instanceof DurationError) throw new SpecError(`service "${service}": ${field}: ${err.message}`);
    throw err;
  }
}

export function healthcheckSpec(s: ServiceConfig): HealthcheckSpec | undefined {
  const h = s.healthcheck;
  if (h === undefined) return undefined;
  if (h.disable === true) return { test: ['NONE'] };
  const out: HealthcheckSpec = { test: h.test ?? [] };
  const interval = ms(s.name, 'healthcheck.interval', h.interval);
  const timeout = ms(s.name, 'healthcheck.timeout', h.timeout);
  const startPeriod = ms(s.name, 'healthcheck.start_period', h.start_period);
  const startInterval = ms(s.name, 'healthcheck.start_interval', h.start_interval);
  if (interval !== undefined) out.intervalMs = interval;
  if (timeout !== undefined) out.timeoutMs = timeout;
  if (startPeriod !== undefined) out.startPeriodMs = startPeriod;
  if (startInterval !== undefined) out.startIntervalMs = startInterval;
  if (h.retries !== undefined) out.retries = h.retries;
  return out;
}

/** `deploy.restart_policy` wins over `restart` (compose maps its swarm conditions). */
export function restartPolicy(s: ServiceConfig): RestartPolicy {
  const rp = s.deploy?.restart_policy;
  if (rp !== undefined) {
    switch (rp.condition ?? 'any') {
      case 'none':
        return { name: 'no' };
      case 'on-failure':
        return rp.max_attempts !== undefined ? { name: 'on-failure', maximumRetryCount: rp.max_attempts } : { name: 'on-failure' };
      default:
        return { name: 'always' };
    }
  }
  const r = s.restart ?? 'no';
  if (r.startsWith('on-failure')) {
    const n = r.split(':')[1];
    return n !== undefined ? { name: 'on-failure', maximumRetryCount: Number(n) } : { name: 'on-failure' };
  }
  if (r === 'always' || r === 'unless-stopped') return { name: r };
  return { name: 'no' };
}

export function ulimits(s: ServiceConfig): Ulimit[] {
  return Object.keys(s.ulimits ?? {})
    .sort()
    .map((name) => {
      const v = s.ulimits![name]!;
      return typeof v === 'number' ? { name, soft: v, hard: v } : { name, soft: v.soft, hard: v.hard };
    });
}

export function resources(s: ServiceConfig): Record<string, number | string> {
  const limits = s.deploy?.resources?.limits;
  const reservations = s.deploy?.resources?.reservations;
  const out: Record<string, number | string | undefined> = {
    memoryBytes: bytes(s.name, 'mem_limit', s.mem_limit ?? limits?.memory),
    memoryReservationBytes: bytes(s.name, 'mem_reservation', s.mem_reservation ?? reservations?.memory),
    memorySwapBytes: s.memswap_limit === -1 || s.memswap_limit === '-1' ? -1 : bytes(s.name, 'memswap_limit', s.memswap_limit),
    memorySwappiness: s.mem_swappiness,
    nanoCpus: nanoCpus(s.cpus ?? limits?.cpus),
    cpuShares: s.cpu_shares,
    cpuPeriod: s.cpu_period,
    cpuQuota: s.cpu_quota,
    cpusetCpus: s.cpuset,
    pidsLimit: s.pids_limit ?? limits?.pids,
  };
  return Object.fromEntries(Object.entries(out).filter((e): e is [string, number | string] => e[1] !== undefined));
}

function nanoCpus(v: number | string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return n > 0 ? Math.round(n * 1e9) : undefined;
}

export function portBindings(ports: readonly ServicePort[]): PortBinding[] {
  return ports.map((p) => ({
    containerPort: p.target,
    protocol: p.protocol === 'udp' ? 'udp' : p.protocol === 'sctp' ? 'sctp' : 'tcp',
    hostIp: p.host_ip ?? '',
    hostPort: p.published ?? '',
  }));
}

/** `expose` entries and published targets as `port/proto`, ranges expanded, sorted, unique. */
export function exposedPorts(s: ServiceConfig): string[] {
  const out = new Set<string>();
  for (const e of s.expose ?? []) {
    const [range = '', proto = 'tcp'] = e.split('/');
    const [from, to] = range.split('-').map(Number);
    if (from === undefined || Number.isNaN(from)) continue;
    for (let p = from; p <= (to ?? from); p++) out.add(`${p}/${proto}`);
  }
  for (const p of s.ports ?? []) out.add(`${p.target}/${p.protocol}`);
  return [...out].sort();
}
