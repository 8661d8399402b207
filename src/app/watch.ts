import { join, resolve } from 'node:path';
import type { LoadOptions } from '../loader/types.js';
import type { Project } from '../model/project.js';
import type { FileChangeBatch } from '../watch/file-change-batch.js';
import { watchFiles, type FileWatcher } from '../watch/file-watcher.js';
import type { ProjectContext } from './context.js';
import { openProject } from './project.js';
import type { UpOptions } from './up.js';
import { up } from './up.js';
import { mergeBatches, planBatch } from './watch/batch-plan.js';
import { initialSync } from './watch/initial-sync.js';
import { runBatch } from './watch/run-actions.js';
import { watchTargets, type WatchTargets } from './watch/watch-targets.js';
import { errorMessage, type WatchReporter } from './watch/watch-report.js';

export type { WatchReport, WatchReporter } from './watch/watch-report.js';
export { NO_WATCH_MESSAGE } from './watch/watch-targets.js';

/** Batches larger than this are reported as one line (a branch switch, a generator). */
export const LARGE_BATCH = 1000;

export interface WatchOptions {
  /** Services named on the command line (empty: all services with `develop.watch`). */
  services: string[];
  /** Remove the image a rebuild replaced (`--prune`). */
  prune: boolean;
  onReport: WatchReporter;
  /**
   * How to reload the project when a compose file or `.env` changes, and how to reconcile it
   * then; without it such changes are ignored.
   */
  reload?: { load: LoadOptions; up: UpOptions };
  /** Debounce settings (see src/watch/file-watcher.ts). */
  quietMs?: number;
  maxWaitMs?: number;
}

export interface WatchResult {
  batches: number;
}

/** Compose files and the `.env` files that feed interpolation: a change reloads the project. */
export function projectFiles(project: Project): string[] {
  const env = project.envFiles.length > 0 ? project.envFiles : [join(project.workingDir, '.env')];
  return [...project.configFiles.filter((f) => f !== '-'), ...env].map((f) => resolve(f)).sort();
}

/** Validates the watch configuration without watching (so `watch` fails before `up`). */
export async function checkWatch(project: Project, services: readonly string[]): Promise<WatchTargets> {
  return watchTargets(project, services);
}

async function reloadProject(load: LoadOptions): Promise<Project> {
  const result = await openProject(load);
  const firstError = result.diagnostics.find((d) => d.severity === 'error');
  if (result.project === undefined || firstError !== undefined) throw new Error(firstError?.message ?? 'the project could not be loaded');
  return result.project;
}

/**
 * Watches the selected services' `develop.watch` paths until `ctx.signal` aborts. Batches are
 * handled one at a time; batches that arrive meanwhile are merged and handled next. Every
 * action is reported through `onReport`; a failed action is reported and watching goes on.
 */
export async function watch(ctx: ProjectContext, opts: WatchOptions): Promise<WatchResult> {
  let current: ProjectContext = ctx;
  let targets = await watchTargets(current.project, opts.services);
  const warned = new Set<string>();
  const warn = (t: WatchTargets): void => {
    for (const message of t.warnings) {
      if (warned.has(message)) continue;
      warned.add(message);
      ctx.events({ type: 'warning', message });
    }
  };
  warn(targets);
  await initialSync(current, targets.rules, opts.onReport);

  const queue: FileChangeBatch[] = [];
  let wake: (() => void) | undefined;
  const start = (t: WatchTargets, project: Project): FileWatcher =>
    watchFiles({
      filters: t.rules.map((r) => r.filter),
      extraFiles: opts.reload !== undefined ? projectFiles(project) : [],
      onBatch: (batch) => {
        queue.push(batch);
        wake?.();
      },
      onError: (err) => opts.onReport({ type: 'failed', action: 'sync', reason: `file watcher: ${err.message}` }),
      ...(opts.quietMs !== undefined ? { quietMs: opts.quietMs } : {}),
      ...(opts.maxWaitMs !== undefined ? { maxWaitMs: opts.maxWaitMs } : {}),
    });
  let watcher = start(targets, current.project);
  await watcher.ready;
  opts.onReport({ type: 'enabled', services: targets.services });

  const signal = ctx.signal;
  const stopped = new Promise<void>((r) => {
    if (signal === undefined) return;
    if (signal.aborted) r();
    else signal.addEventListener('abort', () => r(), { once: true });
  });
  let batches = 0;
  try {
    while (signal?.aborted !== true) {
      if (queue.length === 0) {
        await Promise.race([new Promise<void>((r) => (wake = r)), stopped]);
        wake = undefined;
        continue;
      }
      const batch = mergeBatches(queue.splice(0));
      batches += 1;
      if (batch.changes.length > LARGE_BATCH) opts.onReport({ type: 'large-batch', files: batch.changes.length });
      let plan = planBatch(targets.rules, batch, opts.reload !== undefined ? projectFiles(current.project) : []);
      if (plan.reload && opts.reload !== undefined) {
        const t0 = Date.now();
        try {
          const project = await reloadProject(opts.reload.load);
          const next = await watchTargets(project, opts.services);
          current = { ...current, project };
          await up(current, opts.reload.up);
          warn(next);
          targets = next;
          await watcher.close();
          watcher = start(targets, project);
          await watcher.ready;
          opts.onReport({ type: 'reloaded', elapsedMs: Date.now() - t0 });
        } catch (err) {
          opts.onReport({ type: 'failed', action: 'reload', reason: errorMessage(err) });
        }
        plan = planBatch(targets.rules, batch, []);
      }
      // The work itself must not be cut short by Ctrl-C half-way through a copy.
      await runBatch({ ...current, signal: new AbortController().signal }, plan, batch.firstEventAt, opts.prune, opts.onReport);
    }
  } finally {
    await watcher.close();
    opts.onReport({ type: 'disabled' });
  }
  return { batches };
}
