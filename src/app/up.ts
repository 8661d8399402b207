import type { ContainerSummary } from '../engine/engine.js';
import type { ProjectContext } from './context.js';

export type RecreatePolicy = 'diverged' | 'force' | 'never';

export interface UpOptions {
  /** Services named on the command line (empty: all enabled services). */
  services: string[];
  /** Do not start the named services' dependencies. */
  noDeps: boolean;
  /** `--build`: always build; `--no-build`: never; otherwise per pull_policy / missing image. */
  build: 'policy' | 'always' | 'never';
  /** `--pull`: overrides every service's pull_policy. */
  pull?: 'always' | 'missing' | 'never' | 'build';
  quietPull: boolean;
  /** For the named services (`--force-recreate`, `--no-recreate`; `-V` implies force). */
  recreate: RecreatePolicy;
  /** For their dependencies (`--always-recreate-deps`). */
  recreateDependencies: RecreatePolicy;
  /** `-V`: new anonymous volumes instead of inheriting them. */
  renewAnonVolumes: boolean;
  removeOrphans: boolean;
  /** `--scale svc=n`. */
  scale: Record<string, number>;
  /** Create but do not start (`--no-start`, `create`). */
  noStart: boolean;
  /** `--wait`: wait until services are running/healthy (or completed). */
  wait: boolean;
  waitTimeoutSeconds?: number;
  /** Stop timeout for containers being replaced. */
  timeoutSeconds?: number;
  /** Print the plan, change nothing. */
  dryRun: boolean;
}

export interface UpResult {
  /** The plan as stable text (`Plan.toString()`). */
  plan: string;
  /** The project's containers after the work, sorted by name. */
  containers: ContainerSummary[];
}

/** `up` / `create`: converge the engine to the project (DESIGN.md, compose-spec.md §4). */
export async function up(_ctx: ProjectContext, _opts: UpOptions): Promise<UpResult> {
  await Promise.resolve();
  throw new Error('not implemented: up');
}
