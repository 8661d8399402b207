import type { Command } from 'commander';
import { UsageError } from '../../errors/diagnostic.js';
import { BERTH_VERSION } from '../../version.js';
import type { CommandContext } from '../command-context.js';

export function registerVersion(program: Command, ctx: CommandContext): void {
  program
    .command('version')
    .description('Show version information')
    .option('-f, --format <format>', 'pretty or json', 'pretty')
    .option('--short', 'only the version number')
    .action((flags: { format: string; short?: boolean }) => {
      if (flags.short === true) return ctx.io.writeOut(`${BERTH_VERSION}\n`);
      if (flags.format === 'json') return ctx.io.writeOut(JSON.stringify({ version: BERTH_VERSION }) + '\n');
      if (flags.format !== 'pretty') throw new UsageError(`unsupported format "${flags.format}": use pretty or json`);
      ctx.io.writeOut(`berth version ${BERTH_VERSION}\n`);
    });
}
