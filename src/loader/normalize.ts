import type { DiagnosticBag } from '../errors/diagnostic.js';
import type { RawMap } from './raw.js';
import { isRawMap, keyLocation, locate, setEntryLocation } from './raw.js';
import type { Lookup } from './types.js';
import { getMap, hasOwn, mapAt, replaceEntry } from './normalize-util.js';
import { normalizeService } from './normalize-service.js';
import { toStringMap } from './normalize-maps.js';

export interface NormalizeContext {
  readonly diags: DiagnosticBag;
  readonly projectName: string;
  /** Interpolation environment, for `build.args` bare keys. */
  readonly lookup: Lookup;
}

const RESOURCE_KINDS = ['networks', 'volumes', 'secrets', 'configs'] as const;

/**
 * Rewrites a validated, merged model into the canonical long form of compose-spec.md §2.14,
 * in place: ports per published port, volumes/secrets/configs long syntax, depends_on map
 * with implicit dependencies, implicit default network, resource names, build defaults,
 * command/entrypoint split like a shell, healthcheck test as a list, and so on.
 */
export function normalizeModel(model: RawMap, ctx: NormalizeContext): void {
  removeObsoleteVersion(model, ctx.diags);
  const services = getMap(model, 'services');
  if (services !== undefined) {
    for (const name of Object.keys(services).sort()) {
      const svc = services[name];
      if (isRawMap(svc)) normalizeService({ diags: ctx.diags, lookup: ctx.lookup, path: ['services', name] }, svc);
    }
  }
  normalizeServiceNetworks(model);
  for (const kind of RESOURCE_KINDS) normalizeResources(model, kind, ctx);
}

/**
 * Drops the top-level `version` with docker compose's warning. Exported so that the loader
 * can call it on each document before the merge (one warning per file, as compose-go does);
 * `normalizeModel` calls it again for whatever is left.
 */
export function removeObsoleteVersion(doc: RawMap, diags: DiagnosticBag): void {
  if (!hasOwn(doc, 'version')) return;
  const loc = keyLocation(doc, 'version');
  diags.warn(
    'obsolete',
    `${loc?.file ?? 'compose file'}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`,
    loc,
    ['version'],
  );
  delete doc.version;
}

/** Services without networks join `default`; the top-level `default` network exists only when used. */
function normalizeServiceNetworks(model: RawMap): void {
  const services = getMap(model, 'services');
  let usesDefault = false;
  for (const name of Object.keys(services ?? {}).sort()) {
    const svc = services?.[name];
    if (!isRawMap(svc)) continue;
    const nets = svc.networks;
    if (Array.isArray(nets)) {
      const out = mapAt(svc, 'networks');
      nets.forEach((n, i) => {
        if (typeof n !== 'string') return;
        out[n] = null;
        const loc = locate(nets, [i]);
        if (loc !== undefined) setEntryLocation(out, n, loc, loc);
      });
      replaceEntry(svc, 'networks', out, nets);
    }
    if (hasOwn(svc, 'provider') || hasOwn(svc, 'network_mode')) continue;
    const map = svc.networks;
    if (!isRawMap(map) || Object.keys(map).length === 0) {
      const out = mapAt(svc, 'networks');
      out.default = null;
      replaceEntry(svc, 'networks', out, map);
      usesDefault = true;
    } else if (hasOwn(map, 'default')) usesDefault = true;
  }
  if (!usesDefault) return;
  const networks = getMap(model, 'networks') ?? {};
  if (!hasOwn(networks, 'default')) networks.default = null;
  if (!hasOwn(model, 'networks')) model.networks = networks;
}

function normalizeResources(model: RawMap, kind: (typeof RESOURCE_KINDS)[number], ctx: NormalizeContext): void {
  const all = getMap(model, kind);
  if (all === undefined) return;
  for (const key of Object.keys(all).sort()) {
    let res = all[key];
    if (res === null || res === undefined) {
      res = mapAt(all, key);
      replaceEntry(all, key, res, null);
    }
    if (!isRawMap(res)) continue;
    const labels = res.labels;
    if (Array.isArray(labels) || isRawMap(labels)) replaceEntry(res, 'labels', toStringMap(labels, 'empty'), labels);
    const opts = res.driver_opts;
    if (isRawMap(opts)) {
      for (const [k, v] of Object.entries(opts)) if (typeof v === 'number' || typeof v === 'boolean') opts[k] = String(v);
    }
    const ext = res.external;
    if (isRawMap(ext)) {
      res.external = true;
      if (hasOwn(ext, 'name')) {
        const path = [kind, key, 'external', 'name'];
        const loc = keyLocation(ext, 'name');
        if (hasOwn(res, 'name') && res.name !== ext.name) {
          ctx.diags.error('normalize', `${kind}.${key}: name and external.name conflict; only use name`, loc, path);
        } else {
          ctx.diags.warn('deprecated', `${kind}.${key}: external.name is deprecated. Please set name and external: true`, loc, path);
          if (!hasOwn(res, 'name')) {
            res.name = ext.name ?? null;
            setEntryLocation(res, 'name', loc);
          }
        }
      }
    }
    if (res.name === undefined || res.name === null) {
      res.name = res.external === true ? key : `${ctx.projectName}_${key}`;
    }
  }
}
