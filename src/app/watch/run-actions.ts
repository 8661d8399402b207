import type { ContainerSummary } from '../../engine/engine.js';
import type { Project, ServiceHook } from '../../model/project.js';
import { serviceImage } from '../../reconcile/naming.js';
import { build } from '../build.js';
import type { NamedProjectContext, ProjectContext } from '../context.js';
import { isActive, projectContainers } from '../lifecycle/common.js';
import { restart, restartSet } from '../restart.js';
import { up } from '../up.js';
import type { BatchPlan, ServiceSync } from './batch-plan.js';
import { resolveSync, syncArchive } from './sync-archive.js';
import { errorMessage, type WatchReporter } from './watch-report.js';

/** `rm` gets its paths in chunks so a branch switch does not exceed the argument limit. */
const RM_CHUNK = 500;

function named(ctx: ProjectContext): NamedProjectContext {
  return { projectName: ctx.project.name, project: ctx.project, engine: ctx.engine, events: ctx.events, parallel: ctx.parallel, ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}) };
}

async function runningContainers(ctx: ProjectContext, service: string): Promise<ContainerSummary[]> {
  return (await projectContainers(ctx.engine, ctx.project.name, { services: [service] })).filter(isActive);
}

/** Services that run the image a service builds. */
export function imageUsers(project: Project, service: string): string[] {
  const s = project.services[service];
  if (s === undefined) return [];
  const image = serviceImage(project.name, s);
  return Object.values(project.services).filter((o) => serviceImage(project.name, o) === image).map((o) => o.name).sort();
}

/** Builds the service's image alone, recreates its users (keeping anonymous volumes) and restarts `restart: true` dependents. */
export async function rebuildService(ctx: ProjectContext, service: string, prune: boolean, report: WatchReporter): Promise<void> {
  const t0 = Date.now();
  const s = ctx.project.services[service];
  if (s === undefined) return;
  const image = serviceImage(ctx.project.name, s);
  const before = await ctx.engine.inspectImage(image).catch(() => undefined);
  try {
    await build(ctx, { services: [service], noCache: false, pull: false, buildArgs: {}, quiet: true, withDependencies: false });
    const users = imageUsers(ctx.project, service);
    await up(ctx, {
      services: users, noDeps: true, build: 'never', quietPull: true, recreate: 'force', recreateDependencies: 'never',
      renewAnonVolumes: false, removeOrphans: false, scale: {}, noStart: false, wait: false, dryRun: false,
    });
    const dependents = restartSet(ctx.project, users).filter((n) => !users.includes(n));
    if (dependents.length > 0) await restart(named(ctx), { services: dependents, noDeps: true });
    report({ type: 'rebuilt', service, elapsedMs: Date.now() - t0, recreated: users });
  } catch (err) {
    report({ type: 'failed', service, action: 'rebuild', reason: errorMessage(err) });
    return;
  }
  if (prune && before !== undefined) {
    const after = await ctx.engine.inspectImage(image).catch(() => undefined);
    // The old image is dangling now; it may still be used elsewhere, which the engine refuses.
    if (after !== undefined && after.id !== before.id) await ctx.engine.removeImage(before.id, false).catch(() => undefined);
  }
}

/** Deletes then copies a service's changed files into every running replica, with one archive each. */
export async function syncService(ctx: ProjectContext, sync: ServiceSync, firstEventAt: number, report: WatchReporter): Promise<void> {
  const t0 = Date.now();
  try {
    const resolved = await resolveSync(sync.items);
    const containers = await runningContainers(ctx, sync.service);
    await Promise.all(
      containers.map(async (c) => {
        for (let i = 0; i < resolved.deletions.length; i += RM_CHUNK) {
          const res = await ctx.engine.exec(c.id, { command: ['rm', '-rf', ...resolved.deletions.slice(i, i + RM_CHUNK)] });
          if (res.exitCode !== 0) throw new Error(`rm in ${c.name} exited ${res.exitCode}: ${(res.output ?? '').trim()}`);
        }
        if (resolved.entries.length > 0) await ctx.engine.copyTo(c.id, '/', syncArchive(resolved.entries));
      }),
    );
    const now = Date.now();
    if (resolved.deletions.length > 0) report({ type: 'deleted', service: sync.service, files: resolved.deletions.length });
    if (resolved.files > 0 || resolved.entries.length > 0) report({ type: 'synced', service: sync.service, files: resolved.files, elapsedMs: now - t0, sinceEventMs: now - firstEventAt });
  } catch (err) {
    report({ type: 'failed', service: sync.service, action: 'sync', reason: errorMessage(err) });
  }
}

export async function restartService(ctx: ProjectContext, service: string, report: WatchReporter): Promise<void> {
  try {
    await restart(named(ctx), { services: [service], noDeps: false });
    report({ type: 'restarted', service });
  } catch (err) {
    report({ type: 'failed', service, action: 'restart', reason: errorMessage(err) });
  }
}

function envList(hook: ServiceHook): string[] {
  return Object.entries(hook.environment ?? {}).flatMap(([k, v]) => (v === null ? [] : [`${k}=${v}`])).sort();
}

/** Runs the hooks in every running replica; the report carries the worst exit code. */
export async function execService(ctx: ProjectContext, service: string, hooks: readonly ServiceHook[], report: WatchReporter): Promise<void> {
  try {
    const containers = await runningContainers(ctx, service);
    for (const hook of hooks) {
      const results = await Promise.all(
        containers.map((c) =>
          ctx.engine.exec(c.id, {
            command: hook.command,
            env: envList(hook),
            ...(hook.user !== undefined ? { user: hook.user } : {}),
            ...(hook.working_dir !== undefined ? { workingDir: hook.working_dir } : {}),
            ...(hook.privileged !== undefined ? { privileged: hook.privileged } : {}),
          }),
        ),
      );
      const failed = results.find((r) => r.exitCode !== 0);
      const exitCode = failed?.exitCode ?? 0;
      const output = failed?.output?.trim();
      report({ type: 'exec', service, exitCode, ...(output !== undefined && output !== '' ? { output } : {}) });
    }
  } catch (err) {
    report({ type: 'failed', service, action: 'exec', reason: errorMessage(err) });
  }
}

/** Runs a batch's plan: rebuilds, then syncs, then restarts, then execs (compose-spec.md §5.2). */
export async function runBatch(ctx: ProjectContext, plan: BatchPlan, firstEventAt: number, prune: boolean, report: WatchReporter): Promise<void> {
  for (const s of plan.rebuild) await rebuildService(ctx, s, prune, report);
  await Promise.all(plan.sync.map((s) => syncService(ctx, s, firstEventAt, report)));
  for (const s of plan.restart) await restartService(ctx, s, report);
  for (const e of plan.exec) await execService(ctx, e.service, e.hooks, report);
}
