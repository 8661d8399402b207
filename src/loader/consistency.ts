import type { DiagnosticBag } from '../errors/diagnostic.js';
import { DependencyGraph } from '../graph/dependency-graph.js';
import type { ServiceConfig } from '../model/project.js';
import type { RawMap } from './raw.js';
import { isRawMap } from './raw.js';
import type { CheckContext } from './consistency-context.js';
import { has, mapAt, report, sortedKeys } from './consistency-context.js';
import { checkReferences } from './consistency-references.js';
import { checkServiceAttributes } from './consistency-service.js';

/** Top-level resource kinds, with the word docker compose uses for them in messages. */
const RESOURCE_KINDS = [
  ['networks', 'network'],
  ['volumes', 'volume'],
  ['secrets', 'secret'],
  ['configs', 'config'],
] as const;

/**
 * The semantic checks of compose-spec.md §2.16 on the canonical model (after profiles),
 * including dependency cycles. `disabled` holds services disabled by profiles. Every problem
 * is reported (not only the first one), each at the YAML node that caused it.
 */
export function checkConsistency(model: RawMap, disabled: RawMap, diags: DiagnosticBag): void {
  const services = mapAt(model, 'services') ?? {};
  const ctx: CheckContext = { model, services, disabled, diags };
  for (const name of sortedKeys(services)) {
    const s = services[name];
    if (!isRawMap(s)) continue;
    checkServiceAttributes(ctx, name, s);
    checkReferences(ctx, name, s);
  }
  for (const [kind, word] of RESOURCE_KINDS) {
    const resources = mapAt(model, kind);
    for (const key of sortedKeys(resources)) {
      const r = resources?.[key];
      if (isRawMap(r)) checkExternal(ctx, kind, word, key, r);
    }
  }
  checkFileSources(ctx, 'secrets', ['file', 'environment']);
  checkFileSources(ctx, 'configs', ['file', 'environment', 'content']);
  checkCycles(ctx);
}

function checkExternal(ctx: CheckContext, kind: string, word: string, key: string, r: RawMap): void {
  if (r['external'] !== true) return;
  for (const attr of sortedKeys(r)) {
    if (attr === 'name' || attr === 'external' || attr.startsWith('x-')) continue;
    report(ctx, [kind, key, attr], `conflicting parameters "external" and "${attr}" specified for ${word} "${key}"`, { forKey: true });
  }
}

/**
 * Where the content of a secret or config comes from. `environment` and `content` count as
 * one source: resolving an `environment` source may have filled `content` already.
 */
function checkFileSources(ctx: CheckContext, kind: 'secrets' | 'configs', keys: readonly string[]): void {
  const resources = mapAt(ctx.model, kind);
  for (const name of sortedKeys(resources)) {
    const r = resources?.[name];
    if (!isRawMap(r) || r['external'] === true) continue;
    const sources = (has(r, 'file') ? 1 : 0) + (has(r, 'environment') || has(r, 'content') ? 1 : 0);
    const path = [kind, name];
    if (sources > 1) {
      report(ctx, path, `${kind}.${name}: ${keys.join('|')} attributes are mutually exclusive`, { forKey: true });
    } else if (sources === 0 && !has(r, 'driver')) {
      // A custom driver may bring the content itself.
      const message =
        kind === 'secrets'
          ? `secret "${name}" must declare either \`file\` or \`environment\``
          : `${kind}.${name}: one of ${keys.join('|')} must be set`;
      report(ctx, path, message, { forKey: true });
    }
  }
}

function checkCycles(ctx: CheckContext): void {
  // Only `depends_on` keys are read, which the canonical raw form shares with the typed model.
  const graph = DependencyGraph.fromServices(ctx.services as unknown as Record<string, ServiceConfig>);
  const cycle = graph.findCycle();
  if (cycle === undefined) return;
  const [from, to] = cycle as [string, string];
  report(ctx, ['services', from, 'depends_on', to], `dependency cycle detected: ${cycle.join(' -> ')}`, { forKey: true });
}
