import { isEngineError } from '../../engine/engine-error.js';
import type { NamedProjectContext, ProjectContext } from '../../app/context.js';
import type { LockSettings } from '../../app/up.js';
import { CommandError, ReportedError, UsageError } from '../../errors/diagnostic.js';
import { AbortedError } from '../../reconcile/limiter.js';
import { lockDirectory } from '../../reconcile/lock.js';
import type { CommandContext } from '../command-context.js';
import { createProgressRenderer, type ProgressRenderer } from '../render/progress.js';

export interface Session<C> {
  ctx: C;
  progress: ProgressRenderer;
}

/** Loads the project and wires engine, progress and Ctrl-C for a use case. */
export async function projectSession(cmd: CommandContext, services: string[]): Promise<Session<ProjectContext>> {
  const project = await cmd.loadProject(services);
  const engine = await cmd.engine();
  const progress = createProgressRenderer(cmd.globals(), cmd.io);
  return { progress, ctx: { project, engine, events: progress.sink, parallel: cmd.globals().parallel, signal: cmd.signal } };
}

/**
 * A use case on the loaded project, errors reported: `during` runs with progress shown (closed
 * even on failure), then `after` gets its result once progress is gone (logs, attach, output).
 */
export async function withProjectSession<T>(
  cmd: CommandContext,
  services: string[],
  during: (ctx: ProjectContext, progress: { done(): void }) => Promise<T>,
  after?: (ctx: ProjectContext, result: T) => Promise<void> | void,
): Promise<void> {
  await reporting(cmd, async () => {
    const { ctx, progress } = await projectSession(cmd, services);
    let result: T;
    try {
      result = await during(ctx, progress);
    } finally {
      progress.done();
    }
    await after?.(ctx, result);
  });
}

/** Like `projectSession`, but works from labels when there is no compose file. */
export async function namedSession(cmd: CommandContext): Promise<Session<NamedProjectContext>> {
  const { name, project } = await cmd.projectName();
  const engine = await cmd.engine();
  const progress = createProgressRenderer(cmd.globals(), cmd.io);
  return {
    progress,
    ctx: { projectName: name, ...(project !== undefined ? { project } : {}), engine, events: progress.sink, parallel: cmd.globals().parallel, signal: cmd.signal },
  };
}

export function lockSettings(cmd: CommandContext): LockSettings {
  const env = cmd.io.env;
  return { dir: lockDirectory(env), engineId: env.DOCKER_HOST ?? 'unix:///var/run/docker.sock' };
}

/** Use-case failures the user can act on: printed as `error: …`, exit 1 (130 when interrupted). */
export async function reporting(cmd: CommandContext, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (cmd.signal.aborted && (err instanceof AbortedError || (err instanceof Error && err.name === 'AbortError'))) {
      cmd.io.writeErr('canceled\n');
      throw new ReportedError(130);
    }
    if (err instanceof CommandError || isEngineError(err)) {
      cmd.io.writeErr(`error: ${err.message}\n`);
      throw new ReportedError(cmd.signal.aborted ? 130 : err instanceof CommandError ? err.exitCode : 1);
    }
    throw err;
  }
}

export function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`invalid value "${value}" for --timeout: must be an integer number of seconds`);
  return n;
}

export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function parsePull(value: string | undefined): 'always' | 'missing' | 'never' | 'build' | undefined {
  if (value === undefined || value === 'policy') return undefined;
  if (value === 'if_not_present') return 'missing';
  if (value === 'always' || value === 'missing' || value === 'never' || value === 'build') return value;
  throw new UsageError(`invalid --pull option "${value}": must be one of always, never, build, missing, if_not_present, policy`);
}
