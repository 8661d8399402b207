import { Command, Option } from 'commander';
import { BERTH_VERSION } from '../version.js';
import type { CommandContext } from './command-context.js';
import { registerConfig } from './commands/config-command.js';
import { registerVersion } from './commands/version-command.js';
import { parseGlobalOptions, toLoadOptions, useColor, type GlobalOptions } from './global-options.js';
import type { CliIo } from './io.js';
import type { Engine } from '../engine/engine.js';
import { ReportedError, UsageError } from '../errors/diagnostic.js';
import { checkProjectName, openProject } from '../app/project.js';
import { connectEngine } from './engine-factory.js';
import { renderDiagnostics } from './render/diagnostics.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Global flags that take a value (so the word after them is not the command). */
const GLOBAL_WITH_VALUE = new Set([
  '-f', '--file', '-p', '--project-name', '--project-directory', '--env-file', '--profile',
  '--ansi', '--progress', '--parallel', '--engine',
]);

/** The subcommand named in argv, if any (global flags come before it). */
export function subcommandOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return argv[i + 1];
    if (!a.startsWith('-')) return a;
    if (GLOBAL_WITH_VALUE.has(a)) i++;
  }
  return undefined;
}

/** Commands whose modules are light: the engine commands are not loaded for them. */
const LIGHT_COMMANDS = new Set(['config', 'version']);

/** Lets the caller close the engine a command connected to, once the command is done. */
export interface EngineCloser {
  current: () => Promise<void>;
}

/**
 * Builds the `berth` command tree. `setExitCode` receives each command's exit code; `abort`
 * is aborted on the first interrupt.
 */
export async function buildProgram(
  io: CliIo,
  setExitCode: (code: number) => void,
  abort: AbortController,
  closeEngine: EngineCloser,
): Promise<Command> {
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
  let engine: Promise<Engine> | undefined;
  const ctx: CommandContext = {
    io,
    globals: () => (cached ??= parseGlobalOptions(program.opts(), io)),
    loadOptions: () => toLoadOptions(ctx.globals(), io),
    color: (isTTY) => useColor(ctx.globals(), isTTY),
    setExitCode,
    loadProject: async (services) => {
      const result = await openProject({ ...ctx.loadOptions(), services: services ?? [] });
      const color = ctx.color(io.stderrIsTTY);
      if (result.project === undefined) {
        io.writeErr(renderDiagnostics(result.diagnostics, io.cwd, color));
        throw new ReportedError(1);
      }
      const warnings = result.diagnostics.filter((d) => d.severity === 'warning');
      if (warnings.length > 0 && ctx.globals().progress !== 'quiet') io.writeErr(renderDiagnostics(warnings, io.cwd, color));
      return result.project;
    },
    projectName: async () => {
      const explicit = ctx.globals().projectName ?? io.env.COMPOSE_PROJECT_NAME;
      if (explicit !== undefined && explicit !== '') {
        const problem = checkProjectName(explicit);
        if (problem !== undefined) throw new UsageError(problem);
        // Like docker compose, a compose file found here still describes the project (its
        // dependency order makes `down` concurrent); without one, labels alone are enough.
        const result = await openProject({ ...ctx.loadOptions(), services: [] });
        const noFile = result.diagnostics.some((d) => d.code === 'discovery' && d.message.startsWith('no configuration file provided'));
        if (noFile) return { name: explicit };
        if (result.project === undefined) {
          io.writeErr(renderDiagnostics(result.diagnostics, io.cwd, ctx.color(io.stderrIsTTY)));
          throw new ReportedError(1);
        }
        return { name: explicit, project: result.project };
      }
      const project = await ctx.loadProject();
      return { name: project.name, project };
    },
    engine: () => (engine ??= connectEngine(ctx.globals(), io)),
    signal: abort.signal,
  };
  closeEngine.current = async () => {
    if (engine !== undefined) await (await engine.catch(() => undefined))?.close();
  };
  registerConfig(program, ctx);
  // Loading every command's modules (engine, reconciler, renderers) costs more than a quick
  // `config` takes as a whole, so they are loaded only when another command may run.
  const sub = subcommandOf(io.argv);
  if (sub === undefined || !LIGHT_COMMANDS.has(sub)) {
    const [{ registerLifecycleCommands }, { registerInspectionCommands }, { registerWatchCommands }, { registerImageStoreCommands }] = await Promise.all([
      import('./commands/lifecycle.js'),
      import('./commands/inspection.js'),
      import('./commands/watch.js'),
      import('./commands/image-store-command.js'),
    ]);
    registerLifecycleCommands(program, ctx);
    registerInspectionCommands(program, ctx);
    registerWatchCommands(program, ctx);
    registerImageStoreCommands(program, ctx);
  }
  registerVersion(program, ctx);
  return program;
}
