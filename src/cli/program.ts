import { Command, Option } from 'commander';
import { BERTH_VERSION } from '../version.js';
import type { CommandContext } from './command-context.js';
import { registerConfig } from './commands/config-command.js';
import { registerVersion } from './commands/version-command.js';
import { parseGlobalOptions, toLoadOptions, useColor, type GlobalOptions } from './global-options.js';
import type { CliIo } from './io.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Builds the `berth` command tree. `setExitCode` receives each command's exit code. */
export function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('berth');
  program
    .description('Run multi-container projects from Compose files')
    .version(BERTH_VERSION, '-v, --version', 'print the version and exit')
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .option('-f, --file <file>', 'compose file (repeatable; "-" for standard input)', collect)
    .option('-p, --project-name <name>', 'project name')
    .option('--project-directory <dir>', 'alternate working directory (default: the directory of the first compose file)')
    .option('--env-file <file>', 'alternate environment file (repeatable)', collect)
    .option('--profile <profile>', 'profile to enable (repeatable)', collect)
    .addOption(new Option('--ansi <when>', 'control characters: never, always or auto'))
    .addOption(new Option('--progress <type>', 'progress output: auto, tty, plain, json or quiet'))
    .option('--parallel <n>', 'maximum parallelism of engine operations (-1 for unlimited)')
    .addOption(new Option('--engine <engine>', 'container engine: docker or embedded (env BERTH_ENGINE)'))
    .option('--dry-run', 'show what would be done without changing anything')
    .option('--compatibility', 'docker-compose v1 compatible naming')
    .option('--all-resources', 'include all resources, even those not used by services');

  let cached: GlobalOptions | undefined;
  const ctx: CommandContext = {
    io,
    globals: () => (cached ??= parseGlobalOptions(program.opts(), io)),
    loadOptions: () => toLoadOptions(ctx.globals(), io),
    color: (isTTY) => useColor(ctx.globals(), isTTY),
    setExitCode,
  };
  registerConfig(program, ctx);
  registerVersion(program, ctx);
  return program;
}
