import type { Command } from 'commander';
import { build } from '../../app/build.js';
import { checkServices } from '../../app/lifecycle/common.js';
import { pull } from '../../app/pull.js';
import { UsageError } from '../../errors/diagnostic.js';
import type { CommandContext } from '../command-context.js';
import { collect, withProjectSession } from './lifecycle-shared.js';

export function registerImageCommands(program: Command, cmd: CommandContext): void {
  program
    .command('pull')
    .description('Pull service images')
    .argument('[services...]')
    .option('--ignore-buildable', 'ignore images that can be built')
    .option('--ignore-pull-failures', 'pull what it can and ignores images with pull failures')
    .option('--include-deps', 'also pull services declared as dependencies')
    .option('--policy <policy>', 'apply pull policy ("missing"|"always")')
    .option('-q, --quiet', 'pull without printing progress information')
    .action(async (services: string[], raw: { ignoreBuildable?: boolean; ignorePullFailures?: boolean; includeDeps?: boolean; policy?: string; quiet?: boolean }) => {
      if (raw.policy !== undefined && raw.policy !== 'missing' && raw.policy !== 'always') throw new UsageError(`invalid pull policy "${raw.policy}": must be "missing" or "always"`);
      const policy = raw.policy;
      if (cmd.globals().dryRun) return;
      await withProjectSession(cmd, services, async (ctx) => {
        checkServices(ctx.project, services);
        await pull(ctx, { services, ignoreBuildable: raw.ignoreBuildable === true, ignorePullFailures: raw.ignorePullFailures === true, includeDeps: raw.includeDeps === true, quiet: raw.quiet === true, ...(policy !== undefined ? { policy } : {}) });
      });
    });

  program
    .command('build')
    .description('Build or rebuild services')
    .argument('[services...]')
    .option('--build-arg <key=value>', 'set build-time variables for services (repeatable)', collect)
    .option('--no-cache', 'do not use cache when building the image')
    .option('--pull', 'always attempt to pull a newer version of the image')
    .option('-q, --quiet', "don't print anything to STDOUT")
    .option('--with-dependencies', 'also build dependencies (transitively)')
    .action(async (services: string[], raw: { buildArg?: string[]; cache: boolean; pull?: boolean; quiet?: boolean; withDependencies?: boolean }) => {
      const buildArgs: Record<string, string | undefined> = {};
      for (const a of raw.buildArg ?? []) {
        const i = a.indexOf('=');
        if (i < 0) buildArgs[a] = cmd.io.env[a];
        else buildArgs[a.slice(0, i)] = a.slice(i + 1);
      }
      if (cmd.globals().dryRun) return;
      await withProjectSession(cmd, services, async (ctx) => {
        checkServices(ctx.project, services);
        await build(ctx, { services, noCache: !raw.cache, pull: raw.pull === true, buildArgs, quiet: raw.quiet === true, withDependencies: raw.withDependencies === true });
      });
    });
}
