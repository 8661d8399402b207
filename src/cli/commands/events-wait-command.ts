import type { Command } from 'commander';
import { streamEvents, type ProjectEvent } from '../../app/events.js';
import { parseTimeSpec } from '../../app/inspect/time-spec.js';
import { waitServices } from '../../app/wait.js';
import type { CommandContext } from '../command-context.js';
import { rfc3339Nano } from '../render/format.js';
import { namedContext } from './inspection-support.js';

/** `2024-01-02T03:04:05.1Z container start <id> (image=…, name=…)` */
export function eventLine(e: ProjectEvent): string {
  const attrs = Object.entries(e.attributes).map(([k, v]) => `${k}=${v}`);
  return `${rfc3339Nano(e.timeNano)} ${e.type} ${e.action} ${e.id}${attrs.length === 0 ? '' : ` (${attrs.join(', ')})`}`;
}

export function eventJson(e: ProjectEvent): string {
  return JSON.stringify({ time: rfc3339Nano(e.timeNano), type: e.type, action: e.action, id: e.id, service: e.service, attributes: e.attributes });
}

export function registerEvents(program: Command, ctx: CommandContext): void {
  program
    .command('events')
    .description('Receive real time events from containers')
    .argument('[services...]', 'only these services')
    .option('--json', 'output events as a stream of json objects')
    .option('--since <time>', 'show events since a timestamp or relative (42m)')
    .option('--until <time>', 'stream events until this timestamp or relative (42m)')
    .action(async (services: string[], flags: { json?: boolean; since?: string; until?: string }) => {
      const now = Date.now();
      const nctx = await namedContext(ctx, services);
      await streamEvents(
        nctx,
        {
          services,
          ...(flags.since === undefined ? {} : { since: parseTimeSpec('--since', flags.since, now) }),
          ...(flags.until === undefined ? {} : { until: parseTimeSpec('--until', flags.until, now) }),
        },
        (e) => ctx.io.writeOut(`${flags.json === true ? eventJson(e) : eventLine(e)}\n`),
      );
    });
}

export function registerWait(program: Command, ctx: CommandContext): void {
  program
    .command('wait')
    .description('Block until containers of the services stop; exit with their exit code')
    .argument('<services...>', 'services to wait for')
    .option('--down-project', 'take the project down when the first container stops')
    .action(async (services: string[], flags: { downProject?: boolean }) => {
      const nctx = await namedContext(ctx, services);
      const result = await waitServices(nctx, { services, downProject: flags.downProject === true });
      for (const e of result.exited) ctx.io.writeOut(`container "${e.name}" exited with status code ${e.exitCode}\n`);
      ctx.setExitCode(result.exitCode);
    });
}
