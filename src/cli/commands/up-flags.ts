import type { RecreatePolicy, UpOptions } from '../../app/up.js';
import { UsageError } from '../../errors/diagnostic.js';
import type { Project } from '../../model/project.js';
import { parsePull, parseTimeout } from './lifecycle-shared.js';

export interface UpFlags {
  detach?: boolean;
  build?: boolean;
  noBuild?: boolean;
  pull?: string;
  quietPull?: boolean;
  forceRecreate?: boolean;
  noRecreate?: boolean;
  alwaysRecreateDeps?: boolean;
  renewAnonVolumes?: boolean;
  removeOrphans?: boolean;
  scale?: string[];
  noDeps?: boolean;
  noStart?: boolean;
  wait?: boolean;
  waitTimeout?: string;
  abortOnContainerExit?: boolean;
  abortOnContainerFailure?: boolean;
  exitCodeFrom?: string;
  timeout?: string;
  attach?: string[];
  noAttach?: string[];
  attachDependencies?: boolean;
  noLogPrefix?: boolean;
  timestamps?: boolean;
  color: boolean;
  /** `--watch`: watch `develop.watch` paths after starting. */
  watch?: boolean;
}

/** The flag rules of compose-spec.md §3.4. */
export function validateUpFlags(f: UpFlags): void {
  if (f.exitCodeFrom !== undefined && f.abortOnContainerFailure !== true) f.abortOnContainerExit = true;
  if (f.abortOnContainerFailure === true && f.abortOnContainerExit === true && f.exitCodeFrom === undefined) {
    throw new UsageError('--abort-on-container-failure and --abort-on-container-exit are incompatible');
  }
  if (f.watch === true) {
    if (f.wait === true) throw new UsageError('--wait and --watch are incompatible');
    if (f.detach === true) throw new UsageError('--detach and --watch are incompatible');
    if (f.noBuild === true) throw new UsageError('--no-build and --watch are incompatible');
  }
  if (f.wait === true) {
    if (f.abortOnContainerExit === true) throw new UsageError('--wait and --abort-on-container-exit are incompatible');
    if (f.attach !== undefined) throw new UsageError('--wait and --attach are incompatible');
    if (f.attachDependencies === true) throw new UsageError('--wait and --attach-dependencies are incompatible');
    f.detach = true;
  }
  if (f.detach === true) {
    if (f.attachDependencies === true) throw new UsageError('--detach and --attach-dependencies are incompatible');
    if (f.abortOnContainerExit === true || f.abortOnContainerFailure === true) throw new UsageError('--detach and --abort-on-container-exit/--abort-on-container-failure are incompatible');
    if (f.attach !== undefined && f.wait !== true) throw new UsageError('--detach and --attach are incompatible');
  }
  if (f.build === true && f.noBuild === true) throw new UsageError('--build and --no-build are incompatible');
  if (f.attach !== undefined && f.attachDependencies === true) throw new UsageError('--attach and --attach-dependencies are incompatible');
  if (f.noRecreate === true) {
    if (f.forceRecreate === true) throw new UsageError('--force-recreate and --no-recreate are incompatible');
    if (f.renewAnonVolumes === true) throw new UsageError('--no-recreate and --renew-anon-volumes are incompatible');
    if (f.alwaysRecreateDeps === true) throw new UsageError('--always-recreate-deps and --no-recreate are incompatible');
  }
  if (f.waitTimeout !== undefined && !(Number(f.waitTimeout) >= 0)) throw new UsageError('--wait-timeout must be a non-negative integer');
}

export function parseScale(specs: readonly string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const spec of specs ?? []) {
    const m = /^([^=]+)=(\d+)$/.exec(spec);
    if (m === null) throw new UsageError(`invalid --scale "${spec}": expected SERVICE=NUM`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

export function toUpOptions(f: UpFlags, services: string[], project: Project, dryRun: boolean): UpOptions {
  const scale = parseScale(f.scale);
  for (const name of [...Object.keys(scale), ...(f.exitCodeFrom !== undefined ? [f.exitCodeFrom] : [])]) {
    if (project.services[name] === undefined) throw new UsageError(`no such service: ${name}`);
  }
  const recreate: RecreatePolicy = f.noRecreate === true ? 'never' : f.forceRecreate === true || f.renewAnonVolumes === true ? 'force' : 'diverged';
  const deps: RecreatePolicy = f.noRecreate === true ? 'never' : f.alwaysRecreateDeps === true ? 'force' : 'diverged';
  const pull = parsePull(f.pull);
  const timeout = parseTimeout(f.timeout);
  return {
    services,
    noDeps: f.noDeps === true,
    build: f.build === true ? 'always' : f.noBuild === true ? 'never' : 'policy',
    ...(pull !== undefined ? { pull } : {}),
    quietPull: f.quietPull === true,
    recreate,
    recreateDependencies: deps,
    renewAnonVolumes: f.renewAnonVolumes === true,
    removeOrphans: f.removeOrphans === true,
    scale,
    noStart: f.noStart === true,
    wait: f.wait === true,
    ...(f.waitTimeout !== undefined ? { waitTimeoutSeconds: Number(f.waitTimeout) } : {}),
    ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
    dryRun,
  };
}
