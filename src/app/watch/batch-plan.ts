import { posix, resolve } from 'node:path';
import type { ServiceHook } from '../../model/project.js';
import type { FileChangeBatch, FileChangeKind } from '../../watch/file-change-batch.js';
import type { RuleTarget } from './watch-targets.js';

/** One host path to mirror into a container path. */
export interface SyncItem {
  hostPath: string;
  containerPath: string;
  kind: FileChangeKind;
  /** The rule that mapped it (its filter decides what a synced directory contains). */
  rule: RuleTarget;
}

export interface ServiceSync {
  service: string;
  items: SyncItem[];
}

export interface ServiceExec {
  service: string;
  /** In rule order, each rule's hook once. */
  hooks: ServiceHook[];
}

/** What one batch asks for; executed in this order: rebuild, sync, restart, exec. */
export interface BatchPlan {
  /** A compose file or `.env` changed: reload and reconcile first. */
  reload: boolean;
  rebuild: string[];
  sync: ServiceSync[];
  restart: string[];
  exec: ServiceExec[];
  /** Distinct paths that matched at least one rule. */
  matched: number;
}

/** Where a host path lands in the container: the rule's target plus the path relative to the rule's path. */
export function containerPathOf(rule: RuleTarget, hostPath: string): string | undefined {
  const rel = rule.filter.relative(hostPath);
  const target = rule.rule.target;
  if (rel === undefined || target === undefined) return undefined;
  return rel === '' ? posix.normalize(target) : posix.join(target, rel);
}

const sorted = (set: Set<string>): string[] => [...set].sort();

/**
 * PURE: the actions a batch triggers, once per service. A service being rebuilt is recreated,
 * so it is not also restarted; its syncs and execs still run (paths outside the build context).
 */
export function planBatch(rules: readonly RuleTarget[], batch: FileChangeBatch, configFiles: readonly string[]): BatchPlan {
  const config = new Set(configFiles.map((f) => resolve(f)));
  const rebuild = new Set<string>();
  const restart = new Set<string>();
  const syncs = new Map<string, Map<string, SyncItem>>();
  const execs = new Map<string, Map<number, ServiceHook>>();
  const matched = new Set<string>();
  let reload = false;
  for (const change of batch.changes) {
    if (config.has(resolve(change.path))) reload = true;
    for (const r of rules) {
      if (!r.filter.accepts(change.path)) continue;
      matched.add(change.path);
      const action = r.rule.action;
      switch (action) {
        case 'rebuild':
          rebuild.add(r.service);
          break;
        case 'restart':
          restart.add(r.service);
          break;
        case 'sync':
        case 'sync+restart':
        case 'sync+exec': {
          const containerPath = containerPathOf(r, change.path);
          if (containerPath === undefined) break;
          const items = syncs.get(r.service) ?? new Map<string, SyncItem>();
          items.set(containerPath, { hostPath: change.path, containerPath, kind: change.kind, rule: r });
          syncs.set(r.service, items);
          if (action === 'sync+restart') restart.add(r.service);
          if (action === 'sync+exec' && r.rule.exec !== undefined) {
            const hooks = execs.get(r.service) ?? new Map<number, ServiceHook>();
            hooks.set(r.index, r.rule.exec);
            execs.set(r.service, hooks);
          }
          break;
        }
      }
    }
  }
  for (const s of rebuild) restart.delete(s);
  return {
    reload,
    rebuild: sorted(rebuild),
    sync: sorted(new Set(syncs.keys())).map((service) => ({
      service,
      items: [...(syncs.get(service)?.values() ?? [])].sort((a, b) => (a.containerPath < b.containerPath ? -1 : a.containerPath > b.containerPath ? 1 : 0)),
    })),
    restart: sorted(restart),
    exec: sorted(new Set(execs.keys())).map((service) => ({
      service,
      hooks: [...(execs.get(service) ?? new Map<number, ServiceHook>())].sort((a, b) => a[0] - b[0]).map(([, h]) => h),
    })),
    matched: matched.size,
  };
}

/** Merges batches that queued up while an earlier one was being handled (last event per path wins). */
export function mergeBatches(batches: readonly FileChangeBatch[]): FileChangeBatch {
  const byPath = new Map<string, FileChangeKind>();
  for (const b of batches) for (const c of b.changes) {
    byPath.delete(c.path);
    byPath.set(c.path, c.kind);
  }
  const changes = [...byPath].map(([path, kind]) => ({ path, kind })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { changes, firstEventAt: Math.min(...batches.map((b) => b.firstEventAt)), flushedAt: Math.max(...batches.map((b) => b.flushedAt)) };
}
