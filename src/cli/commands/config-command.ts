import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { config, type ConfigView } from '../../app/config.js';
import { UsageError } from '../../errors/diagnostic.js';
import type { CommandContext } from '../command-context.js';
import { diagnosticsJson, renderDiagnostics } from '../render/diagnostics.js';

interface ConfigFlags {
  format?: string;
  output?: string;
  quiet?: boolean;
  services?: boolean;
  volumes?: boolean;
  networks?: boolean;
  images?: boolean;
  profiles?: boolean;
  models?: boolean;
  variables?: boolean;
  environment?: boolean;
  hash?: string;
  interpolate: boolean;
  normalize: boolean;
  pathResolution: boolean;
  consistency: boolean;
  envResolution: boolean;
}

function pickView(f: ConfigFlags): ConfigView {
  const views: ConfigView[] = [];
  if (f.services === true) views.push({ kind: 'services' });
  if (f.volumes === true) views.push({ kind: 'volumes' });
  if (f.networks === true) views.push({ kind: 'networks' });
  if (f.images === true) views.push({ kind: 'images' });
  if (f.profiles === true) views.push({ kind: 'profiles' });
  if (f.models === true) views.push({ kind: 'models' });
  if (f.variables === true) views.push({ kind: 'variables' });
  if (f.environment === true) views.push({ kind: 'environment' });
  if (f.hash !== undefined) views.push({ kind: 'hash', service: f.hash });
  if (views.length > 1) throw new UsageError('config: --services, --volumes, --networks, --images, --profiles, --models, --variables, --environment and --hash cannot be combined');
  if (f.quiet === true) return { kind: 'quiet' };
  return views[0] ?? { kind: 'model' };
}

export function registerConfig(program: Command, ctx: CommandContext): void {
  program
    .command('config')
    .description('Parse, resolve and render the compose file in canonical format')
    .argument('[services...]', 'only these services (and their dependencies)')
    .option('--format <format>', 'output format: yaml or json', 'yaml')
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .option('-q, --quiet', 'only validate the configuration, print nothing')
    .option('--services', 'print the service names, one per line')
    .option('--volumes', 'print the volume names, one per line')
    .option('--networks', 'print the network names, one per line')
    .option('--images', 'print the image names, one per line')
    .option('--profiles', 'print the profile names, one per line')
    .option('--models', 'print the model names, one per line')
    .option('--variables', 'print the variables the model refers to, with their defaults')
    .option('--environment', 'print the environment used for interpolation')
    .option('--hash <service>', 'print the config hash of a service ("*" for all)')
    .option('--no-interpolate', "don't interpolate environment variables")
    .option('--no-normalize', "don't normalize the compose model")
    .option('--no-path-resolution', "don't resolve file paths")
    .option('--no-consistency', "don't check model consistency")
    .option('--no-env-resolution', "don't resolve service env files")
    .action(async (services: string[], flags: ConfigFlags) => {
      const format = flags.format === 'json' ? 'json' : flags.format === 'yaml' ? 'yaml' : undefined;
      if (format === undefined) throw new UsageError(`unsupported format "${String(flags.format)}": use yaml or json`);
      const g = ctx.globals();
      const load = {
        ...ctx.loadOptions(),
        interpolate: flags.interpolate,
        normalize: flags.normalize,
        resolvePaths: flags.pathResolution,
        consistency: flags.consistency,
        resolveEnvironment: flags.envResolution,
      };
      const result = await config({ load, services, view: pickView(flags), format });
      const color = ctx.color(ctx.io.stderrIsTTY);
      if (!result.ok) {
        if (format === 'json') ctx.io.writeOut(diagnosticsJson(result.diagnostics));
        else ctx.io.writeErr(renderDiagnostics(result.diagnostics, ctx.io.cwd, color));
        ctx.setExitCode(1);
        return;
      }
      const warnings = result.diagnostics.filter((d) => d.severity === 'warning');
      if (warnings.length > 0 && g.progress !== 'quiet') ctx.io.writeErr(renderDiagnostics(warnings, ctx.io.cwd, color));
      if (flags.output !== undefined) writeFileSync(resolve(ctx.io.cwd, flags.output), result.text);
      else ctx.io.writeOut(result.text);
    });
}
