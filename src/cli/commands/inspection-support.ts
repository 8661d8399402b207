import type { NamedProjectContext } from '../../app/context.js';
import { ignoreEvents } from '../../events/events.js';
import { UsageError } from '../../errors/diagnostic.js';
import type { CommandContext } from '../command-context.js';

/** The project by name (labels are enough); services named on the command line must exist when a compose file was read. */
export async function namedContext(ctx: CommandContext, services: readonly string[] = []): Promise<NamedProjectContext> {
  const { name, project } = await ctx.projectName();
  if (project !== undefined) {
    for (const s of services) {
      if (project.services[s] === undefined && project.disabledServices[s] === undefined) throw new UsageError(`no such service: ${s}`);
    }
  }
  return {
    projectName: name,
    ...(project === undefined ? {} : { project }),
    engine: await ctx.engine(),
    events: ignoreEvents,
    parallel: ctx.globals().parallel,
    signal: ctx.signal,
  };
}

export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function parseInteger(flag: string, value: string, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`invalid value "${value}" for ${flag}: must be an integer${min > 0 ? ` ≥ ${min}` : ''}`);
  return n;
}

export function parseFormat<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  const v = value ?? fallback;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new UsageError(`unsupported format "${v}": use ${allowed.join(' or ')}`);
}
