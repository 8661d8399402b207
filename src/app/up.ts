import type { ContainerSummary } from '../engine/engine.js';
import { execute } from '../reconcile/execute.js';
import { acquireProjectLock, type ProjectLock } from '../reconcile/lock.js';
import { observe, type ObservedState } from '../reconcile/observe.js';
import { planUp, selectServices, type Plan, type PlanUpOptions } from '../reconcile/plan.js';
import type { ProjectContext } from './context.js';
import { projectContainers } from './lifecycle/common.js';
import { waitReady } from './lifecycle/wait-ready.js';

export type { RecreatePolicy } from '../reconcile/plan.js';

export interface LockSettings {
  /** Lock file directory (`lockDirectory(env)`). */
  dir: string;
  /** Identifies the engine endpoint. */
  engineId: string;
  /** How long to wait for another berth command on the project (default 60 s). */
  timeoutMs?: number;
}

/** What `planUp` takes (its clock comes from `up` itself), plus how the plan is carried out. */
export interface UpOptions extends Omit<PlanUpOptions, 'now'> {
  quietPull: boolean;
  /** Create but do not start (`--no-start`, `create`). */
  noStart: boolean;
  /** `--wait`: wait until services are running/healthy (or completed). */
  wait: boolean;
  waitTimeoutSeconds?: number;
  /** Stop timeout for containers being replaced. */
  timeoutSeconds?: number;
  /** Print the plan, change nothing. */
  dryRun: boolean;
  /** Per-project lock; none when absent (tests, programmatic use). */
  lock?: LockSettings;
}

export interface UpResult {
  /** The plan as stable text (`Plan.toString()`). */
  plan: string;
  /** The project's containers after the work, sorted by name. */
  containers: ContainerSummary[];
}

/** Observes and plans without changing anything (`--dry-run`, `berth plan`). */
export async function planProject(ctx: ProjectContext, opts: UpOptions): Promise<Plan> {
  return (await observeAndPlan(ctx, opts)).plan;
}

async function observeAndPlan(ctx: ProjectContext, opts: UpOptions): Promise<{ observed: ObservedState; plan: Plan }> {
  const observed = await observe(ctx.engine, ctx.project.name, ctx.project);
  const plan = planUp(ctx.project, observed, { ...opts, now: Date.now() });
  for (const message of plan.warnings) ctx.events({ type: 'warning', message });
  return { observed, plan };
}

/** `up` / `create`: converge the engine to the project (DESIGN.md, compose-spec.md §4). */
export async function up(ctx: ProjectContext, opts: UpOptions): Promise<UpResult> {
  const { project, engine } = ctx;
  let lock: ProjectLock | undefined;
  if (opts.lock !== undefined && !opts.dryRun) {
    lock = await acquireProjectLock({
      dir: opts.lock.dir,
      engineId: opts.lock.engineId,
      projectName: project.name,
      timeoutMs: opts.lock.timeoutMs ?? 60_000,
      events: ctx.events,
      ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}),
    });
  }
  try {
    const { observed, plan } = await observeAndPlan(ctx, opts);
    if (opts.dryRun) return { plan: plan.toString(), containers: [] };
    await execute(plan, project, observed, {
      engine,
      events: ctx.events,
      parallel: ctx.parallel,
      noStart: opts.noStart,
      quietPull: opts.quietPull,
      ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}),
      ...(opts.timeoutSeconds !== undefined ? { timeoutSeconds: opts.timeoutSeconds } : {}),
    });
    if (opts.wait && !opts.noStart) {
      await waitReady(ctx, selectServices(project, opts.services, opts.noDeps), opts.waitTimeoutSeconds);
    }
    return { plan: plan.toString(), containers: await projectContainers(engine, project.name) };
  } finally {
    lock?.release();
  }
}
