import type { DiagnosticBag } from '../errors/diagnostic.js';
import type { RawMap, RawValue } from './raw.js';
import { isRawMap } from './raw.js';
import type { MergeCtx } from './merge-tags.js';
import { takeBase, takeOver } from './merge-tags.js';
import type { ListRule } from './merge-lists.js';
import { APPEND_UNIQUE, listToMap, mergeList, promoteString, toHostList, toKeyedMap } from './merge-lists.js';
import type { Rule } from './merge-map.js';
import { converted, defaultRule, mapOf, mergeMap, replaceRule } from './merge-map.js';
import { envFilePath, fileRefTarget, hostEntryKey, mountTarget, portKey, subnetKey } from './merge-keys.js';

export interface MergeOptions {
  /**
   * Keep the override's `!reset` / `!override` tags on the result, for a document that will
   * itself be merged over earlier files later (`extends`, `include`). Default: false.
   */
  readonly keepTags?: boolean;
  /** With `keepTags`: the override is thrown away afterwards, so its values need no copy. */
  readonly shareOverride?: boolean;
  /** The base stays in use elsewhere: the result copies what it takes from it. */
  readonly copyBase?: boolean;
}

/**
 * Merges `override` over `base` with the per-path rules of compose-spec.md §2.9 and the
 * `!reset` / `!override` tags of §2.10. Returns a new model; positions are kept. Tags in
 * `base` are applied as if it had nothing underneath (so `mergeModels({}, doc)` applies the
 * tags of a first file), and the result carries none.
 */
export function mergeModels(base: RawMap, override: RawMap, diags: DiagnosticBag): RawMap {
  return mergeMap(base, override, { diags, keepTags: false }, topRule);
}

/**
 * `mergeModels` for a loader that accumulates files: `acc` (tag-free, as every merge result
 * is, and referred to by nothing else) and `override` (not used afterwards) are updated in
 * place and become the result, so parts that no later file touches are never copied.
 */
export function mergeModelsInPlace(acc: RawMap, override: RawMap, diags: DiagnosticBag): RawMap {
  return mergeMap(acc, override, { diags, keepTags: false, inPlace: true }, topRule);
}

/** The same rules for one service (used by `extends` and `include`). */
export function mergeServices(base: RawMap, override: RawMap, diags: DiagnosticBag, opts: MergeOptions = {}): RawMap {
  const ctx = { diags, keepTags: opts.keepTags ?? false, shareOverride: opts.shareOverride ?? false, copyBase: opts.copyBase ?? false };
  return mergeMap(base, override, ctx, serviceKeyRule);
}

/** The same rules for one top-level resource (`networks`, `volumes`, `secrets`, `configs`, `models`). */
export function mergeResources(
  kind: ResourceKind,
  base: RawMap,
  override: RawMap,
  diags: DiagnosticBag,
  opts: MergeOptions = {},
): RawMap {
  return mergeMap(base, override, { diags, keepTags: opts.keepTags ?? false }, resourceKeyRule(kind));
}

export type ResourceKind = 'networks' | 'volumes' | 'secrets' | 'configs' | 'models';

function listRule(rule: ListRule): Rule {
  return converted(
    (v) => (Array.isArray(v) ? v : undefined),
    (b, o, ctx) => mergeList(b, o, ctx, rule),
  );
}

const uniqueBy = (key: (v: RawValue) => string | undefined): ListRule => ({ key, unique: true });
const appendUnique = listRule(APPEND_UNIQUE);

/** `environment`, `labels`, … : per-key override, list and map forms both accepted. */
const keyedRule: Rule = converted(toKeyedMap, (b, o, ctx) => mergeMap(b, o, ctx, () => replaceRule));

const hostsRule: Rule = converted(toHostList, (b, o, ctx) => mergeList(b, o, ctx, uniqueBy(hostEntryKey)));

function stringListRule(rule: ListRule): Rule {
  return converted(
    (v) => {
      const p = promoteString(v);
      return Array.isArray(p) ? p : undefined;
    },
    (b, o, ctx) => mergeList(b, o, ctx, rule),
  );
}

function namedMapRule(entry: () => RawValue, entryRule: Rule): Rule {
  return converted(
    (v) => listToMap(v, entry),
    (b, o, ctx) => mergeMap(b, o, ctx, () => entryRule),
  );
}

const buildRule: Rule = converted(
  (v) => (typeof v === 'string' ? { context: v } : isRawMap(v) ? v : undefined),
  (b, o, ctx) =>
    mergeMap(b, o, ctx, (k) => {
      switch (k) {
        case 'args':
        case 'labels':
        case 'additional_contexts':
          return keyedRule;
        case 'extra_hosts':
          return hostsRule;
        case 'tags':
          return appendUnique;
        default:
          return defaultRule();
      }
    }),
);

const loggingRule: Rule = (base, over, ctx) => {
  if (isRawMap(base) && isRawMap(over)) {
    const bd = base['driver'];
    const od = over['driver'];
    if (bd == null || od == null || bd === od) return mergeMap(base, over, ctx, () => defaultRule());
    return takeOver(over, ctx);
  }
  return defaultRule()(base, over, ctx);
};

const serviceNetworkRule: Rule = defaultRule((k) => (k === 'aliases' || k === 'link_local_ips' ? appendUnique : defaultRule()));

/** Rules are looked up for every key of every service: each is built once. */
const serviceRules = new Map<string, Rule>();

function serviceKeyRule(key: string): Rule {
  let rule = serviceRules.get(key);
  if (rule === undefined) {
    rule = buildServiceKeyRule(key);
    serviceRules.set(key, rule);
  }
  return rule;
}

function buildServiceKeyRule(key: string): Rule {
  switch (key) {
    case 'command':
    case 'entrypoint':
      return replaceRule;
    case 'healthcheck':
      return defaultRule((k) => (k === 'test' ? replaceRule : defaultRule()));
    case 'build':
      return buildRule;
    case 'environment':
    case 'labels':
    case 'annotations':
    case 'sysctls':
      return keyedRule;
    case 'deploy':
      return defaultRule((k) => (k === 'labels' ? keyedRule : defaultRule()));
    case 'extra_hosts':
      return hostsRule;
    case 'dns':
    case 'dns_opt':
    case 'dns_search':
    case 'tmpfs':
    case 'label_file':
      return stringListRule(APPEND_UNIQUE);
    case 'env_file':
      return stringListRule(uniqueBy(envFilePath));
    case 'depends_on':
      return namedMapRule(() => ({ condition: 'service_started', required: true }), defaultRule());
    case 'networks':
      return namedMapRule(() => null, serviceNetworkRule);
    case 'models':
      return namedMapRule(() => null, defaultRule());
    case 'logging':
      return loggingRule;
    case 'ulimits':
      return mapOf(replaceRule);
    case 'ports':
      return listRule(uniqueBy(portKey));
    case 'volumes':
    case 'devices':
      return listRule(uniqueBy(mountTarget));
    case 'secrets':
      return listRule(uniqueBy((v) => fileRefTarget(v, 'secrets')));
    case 'configs':
      return listRule(uniqueBy((v) => fileRefTarget(v, 'configs')));
    case 'expose':
    case 'cap_add':
    case 'cap_drop':
    case 'links':
    case 'profiles':
      return appendUnique;
    default:
      return defaultRule();
  }
}

const serviceRule: Rule = (base, over, ctx) => {
  if (over === null && base !== undefined) return takeBase(base, ctx);
  if (isRawMap(over) && (base === undefined || isRawMap(base))) return mergeMap(base, over, ctx, serviceKeyRule);
  return takeOver(over, ctx);
};

const ipamRule: Rule = defaultRule((k) =>
  k === 'config' ? listRule({ key: subnetKey, unique: true, combine: mergeIpamEntry }) : defaultRule(),
);

function mergeIpamEntry(earlier: RawValue, later: RawValue, ctx: MergeCtx): RawValue {
  if (!isRawMap(earlier) || !isRawMap(later)) return later;
  return mergeMap(earlier, later, ctx, () => defaultRule());
}

/** Rules for the attributes of one top-level resource. */
function resourceKeyRule(kind: ResourceKind): (key: string) => Rule {
  switch (kind) {
    case 'networks':
      return (k) => (k === 'labels' ? keyedRule : k === 'ipam' ? ipamRule : defaultRule());
    case 'volumes':
      return (k) => (k === 'labels' ? keyedRule : defaultRule());
    case 'secrets':
    case 'configs':
    case 'models':
      return () => defaultRule();
  }
}

const SERVICES_RULE: Rule = mapOf(serviceRule);
const RESOURCE_RULES: Readonly<Record<ResourceKind, Rule>> = {
  networks: mapOf(defaultRule(resourceKeyRule('networks'))),
  volumes: mapOf(defaultRule(resourceKeyRule('volumes'))),
  secrets: mapOf(defaultRule(resourceKeyRule('secrets'))),
  configs: mapOf(defaultRule(resourceKeyRule('configs'))),
  models: mapOf(defaultRule(resourceKeyRule('models'))),
};

function topRule(key: string): Rule {
  switch (key) {
    case 'services':
      return SERVICES_RULE;
    case 'networks':
    case 'volumes':
    case 'secrets':
    case 'configs':
    case 'models':
      return RESOURCE_RULES[key];
    default:
      return defaultRule();
  }
}
