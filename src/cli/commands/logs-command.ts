import type { Command } from 'commander';
import { streamLogs } from '../../app/logs.js';
import { parseTimeSpec } from '../../app/inspect/time-spec.js';
import type { CommandContext } from '../command-context.js';
import { createLogPrinter } from '../render/log-printer.js';
import { namedContext, parseInteger } from './inspection-support.js';

interface LogsFlags {
  follow?: boolean;
  tail?: string;
  since?: string;
  until?: string;
  timestamps?: boolean;
  color: boolean;
  logPrefix: boolean;
  index?: string;
}

export function registerLogs(program: Command, ctx: CommandContext): void {
  program
    .command('logs')
    .description('View output from containers')
    .argument('[services...]', 'only these services')
    .option('-f, --follow', 'follow log output')
    .option('-n, --tail <lines>', 'number of lines to show from the end of the logs ("all" for all)', 'all')
    .option('--since <time>', 'show logs since a timestamp (2013-01-02T13:23:37Z) or relative (42m)')
    .option('--until <time>', 'show logs before a timestamp (2013-01-02T13:23:37Z) or relative (42m)')
    .option('-t, --timestamps', 'show timestamps')
    .option('--no-color', 'produce monochrome output')
    .option('--no-log-prefix', "don't print a prefix in logs")
    .option('--index <n>', 'index of the container if the service has multiple replicas')
    .action(async (services: string[], flags: LogsFlags) => {
      const now = Date.now();
      const tail = flags.tail === undefined || flags.tail === 'all' || flags.tail === '-1' ? undefined : parseInteger('--tail', flags.tail);
      const since = flags.since === undefined ? undefined : parseTimeSpec('--since', flags.since, now);
      const until = flags.until === undefined ? undefined : parseTimeSpec('--until', flags.until, now);
      const index = flags.index === undefined ? undefined : parseInteger('--index', flags.index, 1);
      const nctx = await namedContext(ctx, services);
      const printer = createLogPrinter(ctx.io, {
        color: flags.color && ctx.color(ctx.io.stdoutIsTTY),
        prefix: flags.logPrefix,
        timestamps: flags.timestamps === true,
      });
      await streamLogs(
        nctx,
        {
          services,
          follow: flags.follow === true,
          timestamps: flags.timestamps === true,
          ...(tail === undefined ? {} : { tail }),
          ...(since === undefined ? {} : { since }),
          ...(until === undefined ? {} : { until }),
          ...(index === undefined ? {} : { index }),
        },
        (source, line) => printer.line(source.name, source.service, line),
        (source) => printer.register(source.name, source.service),
      );
    });
}
