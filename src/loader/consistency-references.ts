import type { RawMap, RawValue } from './raw.js';
import { isRawMap } from './raw.js';
import type { CheckContext } from './consistency-context.js';
import { has, listAt, mapAt, report, sortedKeys, strAt } from './consistency-context.js';

/** The namespace modes that may name another service (`network_mode: service:db`). */
const SERVICE_MODES = ['network_mode', 'ipc', 'pid'] as const;

/**
 * References from service `name` to other services and to top-level resources: networks,
 * volumes, configs, secrets, build secrets, models, depends_on, `service:` modes and
 * `service:` additional build contexts.
 */
export function checkReferences(ctx: CheckContext, name: string, s: RawMap): void {
  const top = (key: string): RawMap => mapAt(ctx.model, key) ?? {};
  const base = ['services', name];

  const networks = namedEntries(s['networks']);
  if (has(s, 'network_mode') && networks.length > 0) {
    report(ctx, [...base, 'networks'], `service ${name} declares mutually exclusive \`network_mode\` and \`networks\``, { forKey: true });
  }
  for (const [net, key] of networks) {
    if (net !== 'default' && !has(top('networks'), net)) {
      report(ctx, [...base, 'networks', key], `service "${name}" refers to undefined network ${net}`, { forKey: typeof key === 'string' });
    }
  }

  listAt(s, 'volumes').forEach((v, i) => {
    if (!isRawMap(v) || v['type'] !== 'volume') return;
    const source = strAt(v, 'source');
    // Anonymous volumes have no source; binds and tmpfs refer to no top-level volume.
    if (source !== undefined && source !== '' && !has(top('volumes'), source)) {
      report(ctx, [...base, 'volumes', i, 'source'], `service "${name}" refers to undefined volume ${source}`);
    }
  });

  checkFileRefs(ctx, s, [...base, 'configs'], top('configs'), `service "${name}" refers to undefined config`);
  checkFileRefs(ctx, s, [...base, 'secrets'], top('secrets'), `service "${name}" refers to undefined secret`);
  const build = mapAt(s, 'build');
  if (build !== undefined) {
    checkFileRefs(ctx, build, [...base, 'build', 'secrets'], top('secrets'), `service "${name}" refers to undefined build secret`);
    checkAdditionalContexts(ctx, name, build);
  }

  for (const [model, key] of namedEntries(s['models'])) {
    if (!has(top('models'), model)) {
      report(ctx, [...base, 'models', key], `service "${name}" refers to undefined model ${model}`, { forKey: typeof key === 'string' });
    }
  }

  checkDependsOn(ctx, name, s);

  for (const mode of SERVICE_MODES) {
    const value = strAt(s, mode);
    if (value === undefined || !value.startsWith('service:')) continue;
    const target = value.slice('service:'.length);
    if (has(ctx.services, target)) continue;
    // A required dependency on a disabled service is reported once, by the depends_on check.
    if (has(ctx.disabled, target) && has(mapAt(s, 'depends_on'), target)) continue;
    report(ctx, [...base, mode], `service "${target}" not found for ${mode} 'service:${target}'`);
  }
}

/**
 * Names used by a map (sorted keys) or by a list of names (the list form of `networks` and
 * `models`, in case a stage left it), each with the key or index that locates it.
 */
function namedEntries(value: RawValue | undefined): Array<[string, string | number]> {
  if (Array.isArray(value)) {
    return value.flatMap((v, i): Array<[string, number]> => (typeof v === 'string' ? [[v, i]] : []));
  }
  return sortedKeys(isRawMap(value) ? value : undefined).map((k) => [k, k]);
}

function checkFileRefs(ctx: CheckContext, owner: RawMap, path: Array<string | number>, defined: RawMap, prefix: string): void {
  const key = path[path.length - 1] as string;
  listAt(owner, key).forEach((ref, i) => {
    const source = isRawMap(ref) ? strAt(ref, 'source') : typeof ref === 'string' ? ref : undefined;
    if (source !== undefined && !has(defined, source)) report(ctx, [...path, i], `${prefix} ${source}`);
  });
}

function checkAdditionalContexts(ctx: CheckContext, name: string, build: RawMap): void {
  const contexts = mapAt(build, 'additional_contexts');
  for (const key of sortedKeys(contexts)) {
    const value = contexts?.[key];
    if (typeof value !== 'string' || !value.startsWith('service:')) continue;
    const target = value.slice('service:'.length);
    const path = ['services', name, 'build', 'additional_contexts', key];
    const service = ctx.services[target];
    if (!isRawMap(service)) {
      report(ctx, path, `service "${name}" declares unknown service "${target}" as additional contexts ${key}`);
    } else if (!isRawMap(service['build'])) {
      report(ctx, path, `service "${name}" declares non-buildable service "${target}" as additional contexts ${key}`);
    }
  }
}

function checkDependsOn(ctx: CheckContext, name: string, s: RawMap): void {
  const deps = mapAt(s, 'depends_on');
  for (const dep of sortedKeys(deps)) {
    if (has(ctx.services, dep)) continue;
    const path = ['services', name, 'depends_on', dep];
    const spec = deps?.[dep];
    const required = !(isRawMap(spec) && spec['required'] === false);
    const disabled = ctx.disabled[dep];
    if (isRawMap(disabled)) {
      if (!required) continue;
      const profiles = listAt(disabled, 'profiles').filter((p) => typeof p === 'string');
      report(ctx, path, `service "${dep}" is required by "${name}" but is disabled. Can be enabled by profiles [${profiles.join(' ')}]`, { forKey: true });
    } else {
      report(ctx, path, `service "${name}" depends on undefined service "${dep}"`, { forKey: true });
    }
  }
}
