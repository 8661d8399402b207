import { isIP } from 'node:net';
import { formatPath } from '../errors/diagnostic.js';
import type { ModelPath } from '../errors/diagnostic.js';
import type { RawMap, RawValue } from './raw.js';
import { isRawMap } from './raw.js';
import type { CheckContext } from './consistency-context.js';
import { has, listAt, mapAt, report, strAt, toBytes, toNumber } from './consistency-context.js';

const HEALTHCHECK_FIRST = new Set(['CMD', 'CMD-SHELL', 'NONE']);
/** Watch actions that need no `target` in the container. */
const TARGETLESS_ACTIONS = new Set(['rebuild', 'restart']);

/** The checks of compose-spec.md §2.16 that concern one service alone. */
export function checkServiceAttributes(ctx: CheckContext, name: string, s: RawMap): void {
  const base = ['services', name];
  const build = mapAt(s, 'build');
  if (build === undefined && !has(s, 'image') && !has(s, 'provider')) {
    report(ctx, base, `service "${name}" has neither an image nor a build context specified`, { forKey: true });
  }
  if (build !== undefined) {
    if (has(build, 'dockerfile') && has(build, 'dockerfile_inline')) {
      report(ctx, [...base, 'build', 'dockerfile_inline'], `service "${name}" declares mutualy exclusive dockerfile and dockerfile_inline`);
    }
    const platforms = listAt(build, 'platforms');
    const platform = strAt(s, 'platform');
    if (platforms.length > 0 && platform !== undefined && platform !== '' && !platforms.includes(platform)) {
      report(ctx, [...base, 'platform'], `service.build.platforms MUST include service.platform "${platform}"`);
    }
  }

  const test = mapAt(s, 'healthcheck')?.['test'];
  if (Array.isArray(test) && test.length > 0 && !(typeof test[0] === 'string' && HEALTHCHECK_FIRST.has(test[0]))) {
    report(ctx, [...base, 'healthcheck', 'test', 0], 'healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"');
  }

  checkScaleAndResources(ctx, name, s);
  checkWatch(ctx, name, s);
  checkMountTargets(ctx, name, s);

  listAt(s, 'ports').forEach((port, i) => {
    const ip = isRawMap(port) ? strAt(port, 'host_ip') : undefined;
    if (ip !== undefined && ip !== '' && isIP(ip) === 0) {
      report(ctx, [...base, 'ports', i, 'host_ip'], `invalid ip address: ${ip}`);
    }
  });

  const devicePaths: Array<[RawValue[], Array<string | number>]> = [
    [listAt(s, 'gpus'), [...base, 'gpus']],
    [listAt(mapAt(mapAt(mapAt(s, 'deploy') ?? {}, 'resources') ?? {}, 'reservations') ?? {}, 'devices'), [...base, 'deploy', 'resources', 'reservations', 'devices']],
  ];
  for (const [devices, path] of devicePaths) {
    devices.forEach((d, i) => {
      if (isRawMap(d) && has(d, 'count') && has(d, 'device_ids')) {
        report(ctx, [...path, i], '"count" and "device_ids" attributes are exclusive');
      }
    });
  }
}

function checkScaleAndResources(ctx: CheckContext, name: string, s: RawMap): void {
  const base = ['services', name];
  const deploy = mapAt(s, 'deploy');
  const scale = toNumber(s['scale']);
  const replicas = deploy === undefined ? undefined : toNumber(deploy['replicas']);
  if (scale !== undefined && replicas !== undefined && scale !== replicas) {
    report(ctx, [...base, 'scale'], `services.${name}: can't set distinct values on 'scale' and 'deploy.replicas'`, { shownPath: base });
  }
  if (scale !== undefined && scale < 0) {
    report(ctx, [...base, 'scale'], `services.${name}.scale: must be greater than or equal to 0`);
  }
  const effective = scale ?? replicas ?? 1;
  if (effective > 1 && has(s, 'container_name')) {
    // Argument order as docker compose prints it (sic).
    const attr = scale !== undefined ? 'scale' : 'deploy.replicas';
    report(ctx, [...base, 'container_name'], `services.${attr}: can't set container_name and ${name} as container name must be unique`);
  }

  const resources = deploy === undefined ? undefined : mapAt(deploy, 'resources');
  const limits = resources === undefined ? undefined : mapAt(resources, 'limits');
  const reservations = resources === undefined ? undefined : mapAt(resources, 'reservations');
  const pairs: Array<[string, RawMap | undefined, string, string, (v: RawValue | undefined) => number | undefined]> = [
    ['cpus', limits, 'cpus', 'limits', toNumber],
    ['mem_limit', limits, 'memory', 'limits', toBytes],
    ['mem_reservation', reservations, 'memory', 'reservations', toBytes],
    ['pids_limit', limits, 'pids', 'limits', toNumber],
  ];
  for (const [attr, section, key, sectionName, read] of pairs) {
    if (section === undefined || !has(s, attr) || !has(section, key)) continue;
    const a = read(s[attr]);
    const b = read(section[key]);
    if (a !== undefined && b !== undefined && a !== b) {
      report(ctx, [...base, attr], `services.${name}: can't set distinct values on '${attr}' and 'deploy.resources.${sectionName}.${key}'`, {
        shownPath: base,
      });
    }
  }
}

function checkWatch(ctx: CheckContext, name: string, s: RawMap): void {
  const watch = listAt(mapAt(s, 'develop') ?? {}, 'watch');
  watch.forEach((rule, i) => {
    if (!isRawMap(rule)) return;
    const path = ['services', name, 'develop', 'watch', i];
    const p = rule['path'];
    if (typeof p === 'string' && p.trim() === '') {
      report(ctx, [...path, 'path'], `${formatPath([...path, 'path'])}: value can't be blank`);
    }
    const action = strAt(rule, 'action') ?? '';
    const target = strAt(rule, 'target');
    if ((target === undefined || target === '') && !TARGETLESS_ACTIONS.has(action)) {
      report(ctx, path, `services.${name}.develop.watch: target is required for non-rebuild actions`, { shownPath: path.slice(0, -1) });
    }
  });
}

/** Two mounts (tmpfs entries, volumes) on the same container path. */
function checkMountTargets(ctx: CheckContext, name: string, s: RawMap): void {
  // Paths are formatted only for a message: most services have no conflict at all.
  const mounts = new Map<string, ModelPath>();
  listAt(s, 'tmpfs').forEach((entry, i) => {
    if (typeof entry !== 'string') return;
    const path = ['services', name, 'tmpfs', i];
    const target = entry.split(':')[0]!;
    const previous = mounts.get(target);
    if (previous !== undefined) report(ctx, path, `${formatPath(path)}: target ${entry} already mounted as ${formatPath(previous)}`);
    else mounts.set(target, path);
  });
  listAt(s, 'volumes').forEach((v, i) => {
    const target = isRawMap(v) ? strAt(v, 'target') : undefined;
    if (target === undefined) return;
    const path = ['services', name, 'volumes', i];
    const previous = mounts.get(target);
    if (previous !== undefined) report(ctx, path, `${formatPath(path)}: target ${target} already mounted as ${formatPath(previous)}`);
    else mounts.set(target, path);
  });
}
