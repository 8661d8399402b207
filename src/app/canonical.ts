import type { Project } from '../model/project.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Field orders docker compose prints for a few structures; everything else is sorted by key. */
const FIELD_ORDER: Record<string, readonly string[]> = {
  port: ['name', 'mode', 'host_ip', 'target', 'published', 'protocol', 'app_protocol'],
  volume: ['type', 'source', 'target', 'read_only', 'consistency', 'bind', 'volume', 'tmpfs', 'image'],
  dependency: ['condition', 'required', 'restart'],
  build: ['context', 'dockerfile', 'dockerfile_inline'],
  healthcheck: ['test', 'timeout', 'interval', 'retries', 'start_period', 'start_interval', 'disable'],
  resource: ['name'],
  reference: ['source', 'target', 'uid', 'gid', 'mode'],
  watch: ['path', 'action', 'target'],
};

function ordered(obj: Record<string, unknown>, kind: string | undefined, childKind: (key: string) => string | undefined): { [k: string]: Json } {
  const first = kind !== undefined ? (FIELD_ORDER[kind] ?? []) : [];
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
  const head = first.filter((k) => keys.includes(k));
  const tail = keys.filter((k) => !first.includes(k)).sort();
  const out: { [k: string]: Json } = {};
  for (const k of [...head, ...tail]) out[k] = toJson(obj[k], childKind(k));
  return out;
}

function toJson(value: unknown, kind?: string): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => toJson(v, kind));
  if (typeof value === 'object') return ordered(value as Record<string, unknown>, kind, () => undefined);
  return null;
}

const SERVICE_CHILD: Record<string, string> = {
  ports: 'port',
  volumes: 'volume',
  build: 'build',
  healthcheck: 'healthcheck',
  secrets: 'reference',
  configs: 'reference',
};

/** docker compose prints extra hosts as a sorted list of `host=ip`. */
function hostsList(hosts: unknown): Json {
  if (hosts === null || typeof hosts !== 'object' || Array.isArray(hosts)) return toJson(hosts);
  const out: string[] = [];
  const map = hosts as Record<string, unknown>;
  for (const host of Object.keys(map).sort()) {
    const ips = map[host];
    for (const ip of Array.isArray(ips) ? ips : [ips]) out.push(`${host}=${String(ip)}`);
  }
  return out;
}

function serviceJson(svc: Record<string, unknown>): { [k: string]: Json } {
  const { name: _name, ...rest } = svc;
  const out = ordered(rest, undefined, (k) => SERVICE_CHILD[k]);
  if (rest.extra_hosts !== undefined) out.extra_hosts = hostsList(rest.extra_hosts);
  const build = out.build;
  if (build !== null && typeof build === 'object' && !Array.isArray(build) && build.extra_hosts !== undefined) {
    build.extra_hosts = hostsList((rest.build as Record<string, unknown>).extra_hosts);
  }
  const deps = rest.depends_on;
  if (deps !== null && typeof deps === 'object' && !Array.isArray(deps)) {
    const d: { [k: string]: Json } = {};
    for (const k of Object.keys(deps).sort()) d[k] = toJson((deps as Record<string, unknown>)[k], 'dependency');
    out.depends_on = d;
  }
  const develop = rest.develop as { watch?: unknown[] } | undefined;
  if (develop !== undefined && develop !== null && Array.isArray(develop.watch)) {
    out.develop = { ...(toJson(develop) as { [k: string]: Json }), watch: develop.watch.map((w) => toJson(w, 'watch')) };
  }
  return out;
}

function resources(map: Record<string, Record<string, unknown>>, dropName: boolean): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const key of Object.keys(map).sort()) {
    const v = map[key]!;
    out[key] = dropName ? toJson(v) : ordered(v, 'resource', () => undefined);
  }
  return out;
}

/**
 * The project as `config --format json` prints it: docker compose's canonical output
 * (name, services, networks, volumes, secrets, configs, models; `x-*` extensions kept).
 */
export function canonicalProject(project: Project): Record<string, unknown> {
  const out: Record<string, Json> = { name: project.name };
  const services: { [k: string]: Json } = {};
  for (const name of Object.keys(project.services).sort()) {
    services[name] = serviceJson(project.services[name] as unknown as Record<string, unknown>);
  }
  out.services = services;
  const sections = [
    ['networks', project.networks],
    ['volumes', project.volumes],
    ['secrets', project.secrets],
    ['configs', project.configs],
  ] as const;
  for (const [key, map] of sections) {
    if (Object.keys(map).length > 0) out[key] = resources(map as Record<string, Record<string, unknown>>, false);
  }
  if (Object.keys(project.models).length > 0) out.models = resources(project.models as Record<string, Record<string, unknown>>, true);
  for (const key of Object.keys(project.extensions).sort()) out[key] = toJson(project.extensions[key]);
  return out;
}
