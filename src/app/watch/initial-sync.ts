import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProjectContext } from '../context.js';
import { containerPathOf, type ServiceSync, type SyncItem } from './batch-plan.js';
import { syncService } from './run-actions.js';
import type { RuleTarget } from './watch-targets.js';
import type { WatchReporter } from './watch-report.js';

async function walk(rule: RuleTarget, dir: string, out: SyncItem[]): Promise<void> {
  let names;
  try {
    names = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const d of names.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, d.name);
    if (d.isDirectory()) {
      if (!rule.filter.prunes(path)) await walk(rule, path, out);
      continue;
    }
    const containerPath = containerPathOf(rule, path);
    if (containerPath !== undefined && rule.filter.accepts(path)) out.push({ hostPath: path, containerPath, kind: 'write', rule });
  }
}

/**
 * `initial_sync: true`: copies every accepted file of the rule's path before watching. Like
 * docker compose, this applies to `sync` and `sync+restart` rules.
 */
export async function initialSync(ctx: ProjectContext, rules: readonly RuleTarget[], report: WatchReporter): Promise<void> {
  const byService = new Map<string, SyncItem[]>();
  for (const r of rules) {
    if (r.rule.initial_sync !== true || (r.rule.action !== 'sync' && r.rule.action !== 'sync+restart')) continue;
    const items = byService.get(r.service) ?? [];
    const root = r.filter.root;
    const single = containerPathOf(r, root);
    const before = items.length;
    await walk(r, root, items);
    // A rule whose path is a single file.
    if (items.length === before && single !== undefined && r.filter.accepts(root)) items.push({ hostPath: root, containerPath: single, kind: 'write', rule: r });
    byService.set(r.service, items);
  }
  const syncs: ServiceSync[] = [...byService].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([service, items]) => ({ service, items }));
  const t0 = Date.now();
  await Promise.all(syncs.filter((s) => s.items.length > 0).map((s) => syncService(ctx, s, t0, report)));
}
