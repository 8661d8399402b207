import type { Project } from '../model/project.js';
import type { Layout } from './config-layout.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = Record<string, unknown>;

interface ShapeSpec {
  /** Fields printed first, in this order; the others follow sorted by key. */
  first?: readonly string[];
  /** Keys whose value is undefined stay (printed as null); otherwise they are left out. */
  keepUndefined?: boolean;
  /** Keys in the map's own order, unsorted. */
  asIs?: boolean;
  /** A key never printed. */
  drop?: string;
  children?: Record<string, Shape>;
  /** The shape of every child not in `children` (default: plain). */
  all?: Shape;
  /** The shape of sequence items (default: this shape). */
  items?: Shape;
  /** A map here is printed as the sorted list `key=value` (extra hosts). */
  hosts?: boolean;
}

/**
 * How docker compose's canonical form orders and converts one value of the project. The
 * same shapes drive the JSON tree (`canonicalProject`) and the writers, which walk the
 * project itself through them instead of a reordered copy.
 */
class Shape implements Layout {
  readonly item: Shape;
  readonly convert: ((map: Obj) => unknown[]) | undefined;
  private readonly first: readonly string[];
  private readonly keepUndefined: boolean;
  private readonly asIs: boolean;
  private readonly drop: string | undefined;
  private readonly children: ReadonlyMap<string, Shape> | undefined;
  private readonly all: Shape | undefined;

  constructor(spec: ShapeSpec) {
    this.first = spec.first ?? [];
    this.keepUndefined = spec.keepUndefined ?? false;
    this.asIs = spec.asIs ?? false;
    this.drop = spec.drop;
    this.children = spec.children !== undefined ? new Map(Object.entries(spec.children)) : undefined;
    this.all = spec.all;
    this.item = spec.items ?? this;
    this.convert = spec.hosts === true ? hostsList : undefined;
  }

  child(key: string): Shape {
    return this.children?.get(key) ?? this.all ?? PLAIN;
  }

  keys(map: Obj): string[] {
    const keys = Object.keys(map);
    if (this.asIs) return keys;
    let n = 0;
    let digit = false;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if ((this.keepUndefined || map[k] !== undefined) && k !== this.drop) {
        keys[n++] = k;
        const c = k.charCodeAt(0);
        if (c <= 57 && c >= 48) digit = true;
      }
    }
    keys.length = n;
    const first = this.first;
    if (first.length === 0) return digit ? objectOrder(sortKeys(keys, 0)) : sortKeys(keys, 0);
    // Move the fields of `first` that are present to the front, in its order; sort the rest.
    let head = 0;
    for (let f = 0; f < first.length; f++) {
      const at = keys.indexOf(first[f]!, head);
      if (at < 0) continue;
      const k = keys[at]!;
      for (let i = at; i > head; i--) keys[i] = keys[i - 1]!;
      keys[head++] = k;
    }
    return digit ? objectOrder(sortKeys(keys, head)) : sortKeys(keys, head);
  }
}

/**
 * Sorts `keys` from index `from` on, as Array.prototype.sort would. Most maps are small, and
 * sort() allocates its work state on every call: an insertion sort allocates nothing.
 */
function sortKeys(keys: string[], from: number): string[] {
  const n = keys.length;
  if (n - from > 24) {
    const tail = keys.slice(from).sort();
    for (let i = 0; i < tail.length; i++) keys[from + i] = tail[i]!;
    return keys;
  }
  for (let i = from + 1; i < n; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= from && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

function isArrayIndex(k: string): boolean {
  return /^(?:0|[1-9][0-9]{0,9})$/.test(k) && Number(k) <= 4294967294;
}

/**
 * The order a JavaScript object built by inserting `keys` in turn lists them: array-index
 * keys first, in numeric order. The JSON output is such an object, and YAML must match it.
 * Only keys starting with a digit can be indexes.
 */
function objectOrder(keys: string[]): string[] {
  let indexes: string[] | undefined;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (isArrayIndex(k)) (indexes ??= []).push(k);
  }
  if (indexes === undefined) return keys;
  indexes.sort((a, b) => Number(a) - Number(b));
  for (const k of keys) if (!isArrayIndex(k)) indexes.push(k);
  return indexes;
}

/** docker compose prints extra hosts as a sorted list of `host=ip`. */
function hostsList(hosts: Obj): string[] {
  const out: string[] = [];
  for (const host of sortKeys(Object.keys(hosts), 0)) {
    const ips = hosts[host];
    if (Array.isArray(ips)) for (const ip of ips) out.push(`${host}=${String(ip)}`);
    else out.push(`${host}=${String(ips)}`);
  }
  return out;
}

const PLAIN = new Shape({});
const DEPENDENCY = new Shape({ first: ['condition', 'required', 'restart'] });
const BUILD_FIELDS = ['context', 'dockerfile', 'dockerfile_inline'];
const HOSTS = new Shape({ hosts: true, items: PLAIN });
const WATCH = new Shape({ first: ['path', 'action', 'target'] });
const REFERENCE = new Shape({ first: ['source', 'target', 'uid', 'gid', 'mode'] });

const SERVICE = new Shape({
  drop: 'name',
  children: {
    ports: new Shape({ first: ['name', 'mode', 'host_ip', 'target', 'published', 'protocol', 'app_protocol'] }),
    volumes: new Shape({ first: ['type', 'source', 'target', 'read_only', 'consistency', 'bind', 'volume', 'tmpfs', 'image'] }),
    // Only a build map gets its extra hosts listed, not maps in a (invalid) build list.
    build: new Shape({ first: BUILD_FIELDS, children: { extra_hosts: HOSTS }, items: new Shape({ first: BUILD_FIELDS }) }),
    healthcheck: new Shape({ first: ['test', 'timeout', 'interval', 'retries', 'start_period', 'start_interval', 'disable'] }),
    secrets: REFERENCE,
    configs: REFERENCE,
    extra_hosts: HOSTS,
    depends_on: new Shape({ keepUndefined: true, all: DEPENDENCY, items: PLAIN }),
    develop: new Shape({ children: { watch: new Shape({ items: WATCH }) }, items: PLAIN }),
  },
});

const RESOURCES = new Shape({ keepUndefined: true, all: new Shape({ first: ['name'] }) });

const PROJECT = new Shape({
  asIs: true,
  children: {
    services: new Shape({ keepUndefined: true, all: SERVICE }),
    networks: RESOURCES,
    volumes: RESOURCES,
    secrets: RESOURCES,
    configs: RESOURCES,
    models: new Shape({ keepUndefined: true }),
  },
});

/**
 * The project's top level in canonical order (name, services, networks, volumes, secrets,
 * configs, models, `x-*` extensions), with the project's own maps as values, and the layout
 * that prints it as docker compose does.
 */
export function canonicalView(project: Project): { value: Obj; layout: Layout } {
  const value: Obj = { name: project.name, services: project.services };
  const sections = [
    ['networks', project.networks],
    ['volumes', project.volumes],
    ['secrets', project.secrets],
    ['configs', project.configs],
    ['models', project.models],
  ] as const;
  for (const [key, map] of sections) if (Object.keys(map).length > 0) value[key] = map;
  for (const key of Object.keys(project.extensions).sort()) value[key] = project.extensions[key];
  return { value, layout: PROJECT };
}

function build(value: unknown, shape: Shape): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    const out: Json[] = [];
    for (let i = 0; i < value.length; i++) out.push(build(value[i], shape.item));
    return out;
  }
  if (shape.convert !== undefined) return build(shape.convert(value as Obj), shape);
  const out: { [k: string]: Json } = {};
  const keys = shape.keys(value as Obj);
  for (let i = 0; i < keys.length; i++) out[keys[i]!] = build((value as Obj)[keys[i]!], shape.child(keys[i]!));
  return out;
}

/**
 * The project as `config --format json` prints it: docker compose's canonical output
 * (name, services, networks, volumes, secrets, configs, models; `x-*` extensions kept).
 */
export function canonicalProject(project: Project): Record<string, unknown> {
  return build(canonicalView(project).value, PROJECT) as Record<string, unknown>;
}
