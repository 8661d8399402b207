import { posix } from 'node:path';
import type { RawMap, RawValue } from './raw.js';
import { isRawMap } from './raw.js';
import { isBindSource, splitVolumeSpec } from './normalize-volumes.js';

const REMOTE_PREFIXES = ['github.com/', 'git@', 'service:'];

function isRemote(p: string): boolean {
  return p.includes('://') || REMOTE_PREFIXES.some((x) => p.startsWith(x));
}

/** `~` ⇒ home, relative ⇒ under `baseDir`, absolute unchanged. */
export function absPath(p: string, baseDir: string, home: string | undefined): string {
  if (home !== undefined && (p === '~' || p.startsWith('~/'))) return cleanJoin(home, p.slice(1));
  if (posix.isAbsolute(p)) return p;
  return cleanJoin(baseDir, p);
}

/** Like Go's `filepath.Join`: the result is cleaned, without a trailing slash. */
function cleanJoin(a: string, b: string): string {
  const joined = posix.join(a, b);
  return joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
}

function resolveKey(m: RawMap, key: string, baseDir: string, home: string | undefined, skip?: (p: string) => boolean): void {
  const v = m[key];
  if (typeof v === 'string' && v !== '' && (skip === undefined || !skip(v))) m[key] = absPath(v, baseDir, home);
}

function resolveList(list: RawValue[], baseDir: string, home: string | undefined): void {
  list.forEach((v, i) => {
    if (typeof v === 'string' && v !== '') list[i] = absPath(v, baseDir, home);
  });
}

/** Only sources written as host paths (`.`, `..`, `~`, absolute) are binds in short syntax. */
function resolveShortVolume(spec: string, baseDir: string, home: string | undefined): string {
  const parts = splitVolumeSpec(spec);
  const source = parts[0];
  if (parts.length < 2 || source === undefined || !isBindSource(source)) return spec;
  if (!(source.startsWith('.') || source === '~' || source.startsWith('~/'))) return spec;
  return [absPath(source, baseDir, home), ...parts.slice(1)].join(':');
}

function resolveBuild(svc: RawMap, baseDir: string, home: string | undefined, defaultContext: boolean): void {
  if (typeof svc.build === 'string') {
    if (!isRemote(svc.build)) svc.build = absPath(svc.build, baseDir, home);
    return;
  }
  const build = svc.build;
  if (!isRawMap(build)) return;
  // The default context `.` is the project directory; an extended service's missing context
  // is left for the extending definition (or this default) to fill after the merge.
  if (!Object.prototype.hasOwnProperty.call(build, 'context') && defaultContext) build.context = baseDir;
  resolveKey(build, 'context', baseDir, home, isRemote);
  const ctxs = build.additional_contexts;
  if (isRawMap(ctxs)) {
    for (const k of Object.keys(ctxs)) resolveKey(ctxs, k, baseDir, home, isRemote);
  } else if (Array.isArray(ctxs)) {
    ctxs.forEach((e, i) => {
      if (typeof e !== 'string') return;
      const eq = e.indexOf('=');
      if (eq < 0) return;
      const p = e.slice(eq + 1);
      if (p !== '' && !isRemote(p)) ctxs[i] = `${e.slice(0, eq + 1)}${absPath(p, baseDir, home)}`;
    });
  }
  const ssh = build.ssh;
  if (isRawMap(ssh)) {
    for (const k of Object.keys(ssh)) resolveKey(ssh, k, baseDir, home);
  } else if (Array.isArray(ssh)) {
    ssh.forEach((e, i) => {
      if (typeof e !== 'string') return;
      const eq = e.indexOf('=');
      if (eq >= 0 && eq < e.length - 1) ssh[i] = `${e.slice(0, eq + 1)}${absPath(e.slice(eq + 1), baseDir, home)}`;
    });
  }
}

/** The same for one service definition (used for services taken from another file by `extends`). */
export function resolveServicePaths(service: RawMap, baseDir: string, home: string | undefined): void {
  resolveServiceIn(service, baseDir, home, false);
}

function resolveServiceIn(service: RawMap, baseDir: string, home: string | undefined, defaultContext: boolean): void {
  resolveBuild(service, baseDir, home, defaultContext);
  for (const key of ['env_file', 'label_file']) {
    const v = service[key];
    if (typeof v === 'string') resolveKey(service, key, baseDir, home);
    else if (Array.isArray(v)) {
      resolveList(v, baseDir, home);
      for (const e of v) if (isRawMap(e)) resolveKey(e, 'path', baseDir, home);
    }
  }
  if (isRawMap(service.extends)) resolveKey(service.extends, 'file', baseDir, home);
  const develop = service.develop;
  if (isRawMap(develop) && Array.isArray(develop.watch)) {
    for (const rule of develop.watch) if (isRawMap(rule)) resolveKey(rule, 'path', baseDir, home);
  }
  const vols = service.volumes;
  if (Array.isArray(vols)) {
    vols.forEach((v, i) => {
      if (typeof v === 'string') vols[i] = resolveShortVolume(v, baseDir, home);
      else if (isRawMap(v) && v.type === 'bind') resolveKey(v, 'source', baseDir, home);
    });
  }
}

/**
 * Makes the relative paths of a whole model absolute against `baseDir` (compose-spec.md
 * §2.15), in place. Works on short and long syntax alike, so it can run before
 * normalization. `~` expands to `home`.
 */
export function resolveModelPaths(model: RawMap, baseDir: string, home: string | undefined): void {
  const services = model.services;
  if (isRawMap(services)) {
    for (const svc of Object.values(services)) if (isRawMap(svc)) resolveServiceIn(svc, baseDir, home, true);
  }
  for (const kind of ['configs', 'secrets']) {
    const all = model[kind];
    if (!isRawMap(all)) continue;
    for (const def of Object.values(all)) if (isRawMap(def)) resolveKey(def, 'file', baseDir, home);
  }
  const volumes = model.volumes;
  if (isRawMap(volumes)) {
    for (const def of Object.values(volumes)) {
      if (!isRawMap(def) || def.driver !== 'local') continue;
      const opts = def.driver_opts;
      if (isRawMap(opts) && typeof opts.o === 'string' && opts.o.split(',').includes('bind')) resolveKey(opts, 'device', baseDir, home);
    }
  }
}
