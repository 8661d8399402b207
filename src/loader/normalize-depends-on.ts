import type { RawMap } from './raw.js';
import { entryLocation, isRawMap, setEntryLocation } from './raw.js';
import { hasOwn, mapAt, replaceEntry } from './normalize-util.js';

const NAMESPACE_KEYS = ['network_mode', 'ipc', 'pid', 'uts', 'cgroup'] as const;

/** `depends_on` list ⇒ map; every entry gets `condition: service_started` and `required: true` by default. */
export function normalizeDependsOn(svc: RawMap): void {
  const raw = svc.depends_on;
  if (Array.isArray(raw)) {
    const out = mapAt(svc, 'depends_on');
    raw.forEach((name, i) => {
      if (typeof name !== 'string') return;
      out[name] = { condition: 'service_started', required: true };
      const loc = entryLocation(raw, i);
      if (loc !== undefined) setEntryLocation(out, name, loc, loc);
    });
    replaceEntry(svc, 'depends_on', out, raw);
    return;
  }
  if (!isRawMap(raw)) return;
  for (const [name, dep] of Object.entries(raw)) {
    if (dep === null) {
      replaceEntry(raw, name, { condition: 'service_started', required: true }, dep);
      continue;
    }
    if (!isRawMap(dep)) continue;
    if (!hasOwn(dep, 'condition')) dep.condition = 'service_started';
    if (!hasOwn(dep, 'required')) dep.required = true;
  }
}

/**
 * Adds the dependencies docker compose infers from `links`, `service:` namespaces (restart
 * with the dependency) and `volumes_from` (no restart). Declared entries win.
 */
export function addImplicitDependencies(svc: RawMap): void {
  const existing = svc.depends_on;
  const deps: RawMap = isRawMap(existing) ? existing : mapAt(svc, 'depends_on');
  const add = (name: string, restart: boolean, from: object, key: string | number): void => {
    if (name === '' || hasOwn(deps, name)) return;
    deps[name] = restart ? { condition: 'service_started', restart: true, required: true } : { condition: 'service_started', required: true };
    const loc = entryLocation(from, key);
    if (loc !== undefined) setEntryLocation(deps, name, loc, loc);
  };
  const links = svc.links;
  if (Array.isArray(links)) {
    links.forEach((l, i) => {
      if (typeof l !== 'string') return;
      const parts = l.split(':');
      add(parts.length === 2 ? (parts[0] ?? '') : l, true, links, i);
    });
  }
  for (const key of NAMESPACE_KEYS) {
    const v = svc[key];
    if (typeof v === 'string' && v.startsWith('service:')) add(v.slice('service:'.length), true, svc, key);
  }
  const vf = svc.volumes_from;
  if (Array.isArray(vf)) {
    vf.forEach((v, i) => {
      if (typeof v !== 'string' || v.startsWith('container:')) return;
      add(v.split(':')[0] ?? '', false, vf, i);
    });
  }
  if (Object.keys(deps).length > 0 && deps !== existing) svc.depends_on = deps;
}
