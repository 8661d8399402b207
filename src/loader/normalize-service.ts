import type { RawMap, RawValue } from './raw.js';
import { copyEntryMeta, entryLocation, isRawMap, setEntryLocation, setSelfLocation } from './raw.js';
import { resolveBareKeys } from './normalize-maps.js';
import { normalizePorts } from './normalize-ports.js';
import { VolumeSpecError, parseVolumeSpec } from './normalize-volumes.js';
import { getMap, hasOwn, mapAt, replaceEntry } from './normalize-util.js';
import { addImplicitDependencies, normalizeDependsOn } from './normalize-depends-on.js';
import { fileRefs, hosts, normalizeBuild } from './normalize-build.js';
import type { ServiceContext } from './normalize-fields.js';
import { duration, fail, shellCommand, stringMap, stringToList } from './normalize-fields.js';

export type { ServiceContext } from './normalize-fields.js';

/** GPU / device requests: no count and no ids means all devices; `all` is kept as -1, as docker compose prints it. */
function deviceCount(req: RawValue): void {
  if (!isRawMap(req)) return;
  if (!hasOwn(req, 'count') && !hasOwn(req, 'device_ids')) req.count = -1;
  const c = req.count;
  if (typeof c === 'string') {
    if (c.toLowerCase() === 'all') req.count = -1;
    else if (/^-?[0-9]+$/.test(c)) req.count = Number(c);
  }
}

function normalizeVolumes(ctx: ServiceContext, svc: RawMap): void {
  const list = svc.volumes;
  if (!Array.isArray(list)) return;
  list.forEach((item, i) => {
    if (typeof item === 'string') {
      try {
        const v = parseVolumeSpec(item);
        setSelfLocation(v, entryLocation(list, i));
        for (const k of Object.keys(v)) setEntryLocation(v, k, entryLocation(list, i));
        replaceEntry(list, i, v, item);
      } catch (err) {
        if (!(err instanceof VolumeSpecError)) throw err;
        fail(ctx, list, i, ['volumes', i], err.message);
      }
      return;
    }
    if (isRawMap(item) && item.type === 'bind') {
      const bind = getMap(item, 'bind');
      if (bind !== undefined && !hasOwn(bind, 'create_host_path')) bind.create_host_path = true;
    }
  });
}

function normalizeDevices(ctx: ServiceContext, svc: RawMap): void {
  const list = svc.devices;
  if (!Array.isArray(list)) return;
  list.forEach((item, i) => {
    if (typeof item !== 'string') return;
    const parts = item.split(':');
    if (parts.length > 3) {
      fail(ctx, list, i, ['devices', i], `confusing device mapping, please use long syntax: ${item}`);
      return;
    }
    const d = mapAt(list, i);
    d.source = parts[0] ?? '';
    d.target = parts.length > 1 && parts[1] !== '' ? (parts[1] ?? '') : (parts[0] ?? '');
    d.permissions = parts.length > 2 ? (parts[2] ?? 'rwm') : 'rwm';
    replaceEntry(list, i, d, item);
  });
}

function normalizeHealthcheck(ctx: ServiceContext, svc: RawMap): void {
  const hc = getMap(svc, 'healthcheck');
  if (hc === undefined) return;
  const test = hc.test;
  if (typeof test === 'string') replaceEntry(hc, 'test', ['CMD-SHELL', test], test);
  // `disable: true` stays as written: docker compose turns it into `["NONE"]` only when it
  // creates the container, and `config` prints it unchanged.
  for (const k of ['interval', 'timeout', 'start_period', 'start_interval']) duration(ctx, hc, k, ['healthcheck']);
}

function normalizeDeploy(ctx: ServiceContext, svc: RawMap): void {
  const deploy = getMap(svc, 'deploy');
  if (typeof svc.scale === 'number') {
    const d = deploy ?? mapAt(svc, 'scale');
    if (!hasOwn(d, 'replicas')) {
      d.replicas = svc.scale;
      copyEntryMeta(svc, 'scale', d, 'replicas');
    }
    if (deploy === undefined) svc.deploy = d;
  }
  if (deploy === undefined) return;
  stringMap(deploy, 'labels', 'empty');
  const rp = getMap(deploy, 'restart_policy');
  duration(ctx, rp, 'delay', ['deploy', 'restart_policy']);
  duration(ctx, rp, 'window', ['deploy', 'restart_policy']);
  for (const k of ['update_config', 'rollback_config']) {
    const c = getMap(deploy, k);
    duration(ctx, c, 'delay', ['deploy', k]);
    duration(ctx, c, 'monitor', ['deploy', k]);
  }
  const res = getMap(deploy, 'resources');
  const reservations = res === undefined ? undefined : getMap(res, 'reservations');
  const reqs = reservations?.devices;
  if (Array.isArray(reqs)) reqs.forEach(deviceCount);
}

function normalizeHooks(ctx: ServiceContext, svc: RawMap): void {
  for (const key of ['post_start', 'pre_stop', 'pre_start']) {
    const hooks = svc[key];
    if (!Array.isArray(hooks)) continue;
    hooks.forEach((h, i) => {
      if (!isRawMap(h)) return;
      shellCommand(ctx, h, 'command', [key, i]);
      stringMap(h, 'environment', 'null');
      if (key === 'pre_start' && !hasOwn(h, 'image') && typeof svc.image === 'string') h.image = svc.image;
    });
  }
}

function normalizeDevelop(ctx: ServiceContext, svc: RawMap): void {
  const watch = getMap(svc, 'develop')?.watch;
  if (!Array.isArray(watch)) return;
  watch.forEach((rule, i) => {
    if (!isRawMap(rule)) return;
    stringToList(rule, 'ignore');
    stringToList(rule, 'include');
    const exec = getMap(rule, 'exec');
    if (exec !== undefined) {
      shellCommand(ctx, exec, 'command', ['develop', 'watch', i, 'exec']);
      stringMap(exec, 'environment', 'null');
    }
  });
}

function normalizeEnvFiles(svc: RawMap): void {
  stringToList(svc, 'env_file');
  const list = svc.env_file;
  if (!Array.isArray(list)) return;
  list.forEach((item, i) => {
    if (typeof item === 'string') {
      const e = mapAt(list, i);
      e.path = item;
      e.required = true;
      setEntryLocation(e, 'path', entryLocation(list, i));
      replaceEntry(list, i, e, item);
    } else if (isRawMap(item) && !hasOwn(item, 'required')) item.required = true;
  });
}

/** Rewrites one service into docker compose's canonical long form, in place. */
export function normalizeService(ctx: ServiceContext, svc: RawMap): void {
  delete svc.extends;
  if (svc.pull_policy === 'if_not_present') svc.pull_policy = 'missing';
  normalizeBuild(ctx, svc);
  shellCommand(ctx, svc, 'command', []);
  shellCommand(ctx, svc, 'entrypoint', []);
  stringMap(svc, 'environment', 'null');
  const env = getMap(svc, 'environment');
  if (env !== undefined) resolveBareKeys(env, ctx.lookup, true);
  normalizeEnvFiles(svc);
  for (const k of ['labels', 'annotations', 'sysctls', 'storage_opt']) stringMap(svc, k, 'empty');
  for (const k of ['label_file', 'dns', 'dns_search', 'tmpfs']) stringToList(svc, k);
  if (Array.isArray(svc.dns)) svc.dns = svc.dns.filter((d) => d !== '');
  hosts(ctx, svc, []);
  if (Array.isArray(svc.ports)) {
    const list = svc.ports;
    svc.ports = normalizePorts(list, (i, msg) => fail(ctx, list, i, ['ports', i], msg));
  }
  if (Array.isArray(svc.expose)) {
    const list = svc.expose;
    list.forEach((e, i) => {
      if (typeof e === 'number') list[i] = String(e);
    });
  }
  normalizeVolumes(ctx, svc);
  normalizeDevices(ctx, svc);
  fileRefs(svc, 'secrets', true);
  fileRefs(svc, 'configs', false);
  if (typeof svc.gpus === 'string') {
    // `gpus: all`; docker compose keeps the count as a number where -1 means all.
    const entry = mapAt(svc, 'gpus');
    entry.count = -1;
    const list = [entry];
    copyEntryMeta(svc, 'gpus', list, 0);
    replaceEntry(svc, 'gpus', list, svc.gpus);
  } else if (Array.isArray(svc.gpus)) svc.gpus.forEach(deviceCount);
  normalizeHealthcheck(ctx, svc);
  duration(ctx, svc, 'stop_grace_period', []);
  normalizeDeploy(ctx, svc);
  normalizeHooks(ctx, svc);
  normalizeDevelop(ctx, svc);
  const models = svc.models;
  if (Array.isArray(models)) {
    const out = mapAt(svc, 'models');
    models.forEach((m, i) => {
      if (typeof m !== 'string') return;
      out[m] = null;
      copyEntryMeta(models, i, out, m);
    });
    replaceEntry(svc, 'models', out, models);
  }
  normalizeDependsOn(svc);
  addImplicitDependencies(svc);
}
