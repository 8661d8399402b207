import type {
  ContainerDetails, ContainerMount, ContainerState, ContainerSummary, HealthState, PublishedPort,
} from '../engine.js';

type Json = Record<string, unknown>;

const STATES: readonly ContainerState[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];

export function toState(value: unknown): ContainerState {
  const s = typeof value === 'string' ? value.toLowerCase() : '';
  return (STATES as readonly string[]).includes(s) ? (s as ContainerState) : 'dead';
}

/** `Up 3 seconds (health: starting)` → `starting`. */
export function healthFromStatus(status: string): HealthState | undefined {
  if (status.includes('(health: starting)')) return 'starting';
  if (status.includes('(unhealthy)')) return 'unhealthy';
  if (status.includes('(healthy)')) return 'healthy';
  return undefined;
}

function toHealth(value: unknown): HealthState | undefined {
  return value === 'starting' || value === 'healthy' || value === 'unhealthy' ? value : undefined;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === 'string');
const labelsOf = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v))) if (typeof val === 'string') out[k] = val;
  return out;
};

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function comparePorts(a: PublishedPort, b: PublishedPort): number {
  return a.containerPort - b.containerPort || cmp(a.protocol, b.protocol) || cmp(a.hostIp, b.hostIp) || a.hostPort - b.hostPort;
}

/** Sorted, exact duplicates dropped; IPv4 and IPv6 bindings both kept as the daemon reports them. */
function normalizePorts(ports: PublishedPort[]): PublishedPort[] {
  const seen = new Set<string>();
  const out: PublishedPort[] = [];
  for (const p of [...ports].sort(comparePorts)) {
    const key = `${p.containerPort}/${p.protocol}/${p.hostIp}/${p.hostPort}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

/** An entry of `GET /containers/json`. */
export function toSummary(raw: Json): ContainerSummary {
  const status = str(raw.Status);
  const ports = normalizePorts(arr(raw.Ports).map((p) => {
    const o = obj(p);
    return { containerPort: num(o.PrivatePort), protocol: str(o.Type) || 'tcp', hostIp: str(o.IP), hostPort: num(o.PublicPort) };
  }));
  const networks = Object.keys(obj(obj(raw.NetworkSettings).Networks)).sort();
  const health = healthFromStatus(status);
  const name = strings(raw.Names)[0] ?? '';
  return {
    id: str(raw.Id),
    name: name.startsWith('/') ? name.slice(1) : name,
    image: str(raw.Image),
    imageId: str(raw.ImageID),
    command: str(raw.Command),
    labels: labelsOf(raw.Labels),
    state: toState(raw.State),
    status,
    created: num(raw.Created),
    ports,
    networks,
    ...(health === undefined ? {} : { health }),
  };
}

function inspectStatus(state: Json, health: HealthState | undefined): string {
  const s = toState(state.Status);
  const suffix = health === undefined ? '' : health === 'starting' ? ' (health: starting)' : ` (${health})`;
  switch (s) {
    case 'running': return `Up${suffix}`;
    case 'paused': return `Up (Paused)`;
    case 'restarting': return `Restarting (${num(state.ExitCode)})`;
    case 'exited': return `Exited (${num(state.ExitCode)})`;
    case 'created': return 'Created';
    case 'removing': return 'Removal In Progress';
    case 'dead': return 'Dead';
  }
}

function inspectPorts(raw: unknown): PublishedPort[] {
  const out: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(obj(raw))) {
    const [port = '0', protocol = 'tcp'] = key.split('/');
    const list = arr(bindings);
    if (list.length === 0) out.push({ containerPort: Number(port), protocol, hostIp: '', hostPort: 0 });
    for (const b of list) {
      const o = obj(b);
      out.push({ containerPort: Number(port), protocol, hostIp: str(o.HostIp), hostPort: Number(str(o.HostPort) || '0') });
    }
  }
  return normalizePorts(out);
}

function toMount(raw: unknown): ContainerMount {
  const o = obj(raw);
  const t = str(o.Type);
  const type = t === 'volume' || t === 'tmpfs' ? t : 'bind';
  return {
    type,
    ...(type === 'volume' && str(o.Name) !== '' ? { name: str(o.Name) } : {}),
    source: str(o.Source),
    target: str(o.Destination),
    readOnly: o.RW === false,
  };
}

const optionalTime = (v: unknown): string | undefined => {
  const s = str(v);
  return s === '' || s.startsWith('0001-01-01') ? undefined : s;
};

/** The body of `GET /containers/{id}/json`. */
export function toDetails(raw: Json): ContainerDetails {
  const state = obj(raw.State);
  const config = obj(raw.Config);
  const healthRaw = obj(state.Health);
  const health = toHealth(healthRaw.Status);
  const settings = obj(raw.NetworkSettings);
  const networkSettings: ContainerDetails['networkSettings'] = {};
  for (const name of Object.keys(obj(settings.Networks)).sort()) {
    const n = obj(obj(settings.Networks)[name]);
    const ip = str(n.IPAddress);
    networkSettings[name] = { networkId: str(n.NetworkID), aliases: strings(n.Aliases), ...(ip === '' ? {} : { ipv4Address: ip }) };
  }
  const name = str(raw.Name);
  const startedAt = optionalTime(state.StartedAt);
  const finishedAt = optionalTime(state.FinishedAt);
  const pid = num(state.Pid);
  const healthLog = arr(healthRaw.Log).map((e) => {
    const o = obj(e);
    return { exitCode: num(o.ExitCode), output: str(o.Output), start: str(o.Start) };
  });
  return {
    id: str(raw.Id),
    name: name.startsWith('/') ? name.slice(1) : name,
    image: str(config.Image),
    imageId: str(raw.Image),
    command: [str(raw.Path), ...strings(raw.Args)].filter((s) => s !== '').join(' '),
    labels: labelsOf(config.Labels),
    state: toState(state.Status),
    status: inspectStatus(state, health),
    created: Math.floor(Date.parse(str(raw.Created)) / 1000) || 0,
    ports: inspectPorts(settings.Ports),
    networks: Object.keys(networkSettings),
    ...(health === undefined ? {} : { health }),
    exitCode: num(state.ExitCode),
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(finishedAt === undefined ? {} : { finishedAt }),
    restartCount: num(raw.RestartCount),
    oomKilled: state.OOMKilled === true,
    ...(pid === 0 ? {} : { pid }),
    mounts: arr(raw.Mounts).map(toMount),
    networkSettings,
    env: strings(config.Env),
    ...(healthLog.length === 0 ? {} : { healthLog }),
  };
}
