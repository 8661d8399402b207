import { Option, type Command } from 'commander';
import { plan } from '../../app/plan.js';
import { up, type UpOptions } from '../../app/up.js';
import type { ProjectContext } from '../../app/context.js';
import type { Project } from '../../model/project.js';
import type { CommandContext } from '../command-context.js';
import { attachAfterUp } from './up-attached.js';
import { loadWatch, upWatch, withWatchBuilds } from './watch.js';
import { collect, lockSettings, parseTimeout, withProjectSession } from './lifecycle-shared.js';
import { toUpOptions, validateUpFlags, type UpFlags } from './up-flags.js';

/** The flags as `UpOptions`, with `COMPOSE_REMOVE_ORPHANS` / `COMPOSE_IGNORE_ORPHANS` from the environment. */
function upOptions(cmd: CommandContext, f: UpFlags, services: string[], project: Project, dryRun: boolean): UpOptions {
  const env = cmd.io.env;
  const opts = toUpOptions(f, services, project, dryRun);
  return {
    ...opts,
    removeOrphans: opts.removeOrphans || env.COMPOSE_REMOVE_ORPHANS === 'true' || env.COMPOSE_REMOVE_ORPHANS === '1',
    ignoreOrphans: env.COMPOSE_IGNORE_ORPHANS === 'true' || env.COMPOSE_IGNORE_ORPHANS === '1',
  };
}

/** `up`, `create` and `plan`: flags checked before anything loads, then the project session. */
async function converge<T>(
  cmd: CommandContext,
  services: string[],
  raw: Record<string, unknown>,
  during: (f: UpFlags, ctx: ProjectContext) => Promise<T>,
  after?: (f: UpFlags, ctx: ProjectContext, result: T) => Promise<void>,
): Promise<void> {
  const f = normalize(raw);
  validateUpFlags(f);
  await withProjectSession(
    cmd,
    services,
    (ctx) => during(f, ctx),
    after === undefined ? undefined : (ctx, result) => after(f, ctx, result),
  );
}

function addConvergeFlags(c: Command): Command {
  return c
    .option('--build', 'build images before starting containers')
    .option('--no-build', "don't build an image, even if it's policy")
    .option('--pull <policy>', 'pull image before running: always, missing, never, build')
    .option('--quiet-pull', 'pull without printing progress information')
    .option('--force-recreate', "recreate containers even if their configuration and image haven't changed")
    .option('--no-recreate', "if containers already exist, don't recreate them")
    .option('--remove-orphans', 'remove containers for services not defined in the compose file')
    .option('--scale <service=num>', 'scale SERVICE to NUM instances (repeatable)', collect);
}

/** commander turns `--no-build` into `build: false`; map the negations back to our flags. */
function normalize(raw: Record<string, unknown>): UpFlags {
  const f = { ...raw } as unknown as UpFlags & { build?: boolean; recreate?: boolean; start?: boolean; deps?: boolean; logPrefix?: boolean };
  if (raw.build === false) {
    f.noBuild = true;
    delete f.build;
  }
  if (raw.recreate === false) f.noRecreate = true;
  if (raw.start === false) f.noStart = true;
  if (raw.deps === false) f.noDeps = true;
  if (raw.logPrefix === false) f.noLogPrefix = true;
  return f;
}

/** `--no-attach <svc>` is a list of services, not the negation of `--attach` commander would make of it. */
function noAttachOption(): Option {
  const o = new Option('--no-attach <service>', 'do not attach (stream logs) to the specified services (repeatable)').argParser(collect);
  o.negate = false;
  return o;
}

export function registerUp(program: Command, cmd: CommandContext): void {
  addConvergeFlags(program.command('up').description('Create and start containers').argument('[services...]', 'services to start (with their dependencies)'))
    .option('-d, --detach', 'run containers in the background')
    .option('--always-recreate-deps', 'recreate dependent containers (incompatible with --no-recreate)')
    .option('-V, --renew-anon-volumes', 'recreate anonymous volumes instead of retrieving data from the previous containers')
    .option('--no-deps', "don't start linked services")
    .option('--no-start', "don't start the services after creating them")
    .option('--wait', 'wait for services to be running|healthy (implies detached mode)')
    .option('--wait-timeout <seconds>', 'maximum duration in seconds to wait for the project to be running|healthy')
    .option('--abort-on-container-exit', 'stop all containers if any container was stopped (incompatible with -d)')
    .option('--abort-on-container-failure', 'stop all containers if any container exited with failure (incompatible with -d)')
    .option('--exit-code-from <service>', 'return the exit code of the selected service container (implies --abort-on-container-exit)')
    .option('-t, --timeout <seconds>', 'timeout in seconds for container shutdown when attached or when containers are already running')
    .option('--attach <service>', 'restrict attaching to the specified services (repeatable)', collect)
    .addOption(noAttachOption())
    .option('--attach-dependencies', 'automatically attach to log output of dependent services')
    .option('--no-log-prefix', "don't print prefix in logs")
    .option('--timestamps', 'show timestamps')
    .option('--no-color', 'produce monochrome output')
    .option('-w, --watch', 'watch source code and rebuild/refresh containers when files are updated')
    .action(async (services: string[], raw: Record<string, unknown>) => {
      await converge(
        cmd,
        services,
        raw,
        async (f, ctx) => {
          const opts = upOptions(cmd, f, services, ctx.project, cmd.globals().dryRun);
          if (opts.dryRun) {
            cmd.io.writeOut(await plan(ctx, opts));
            return undefined;
          }
          if (f.watch === true) await (await loadWatch()).checkWatch(ctx.project, services);
          await up(f.watch === true ? { ...ctx, project: withWatchBuilds(ctx.project) } : ctx, { ...opts, lock: lockSettings(cmd) });
          return opts;
        },
        async (f, ctx, opts) => {
          if (opts === undefined) return;
          if (f.watch === true) {
            const session = { services, prune: true, quiet: false, color: f.color && cmd.color(cmd.io.stdoutIsTTY), prefix: f.noLogPrefix !== true, timestamps: f.timestamps === true, up: opts };
            cmd.setExitCode(await upWatch(cmd, ctx, session, parseTimeout(f.timeout)));
            return;
          }
          if (f.detach === true || f.noStart === true) return;
          cmd.setExitCode(await attachAfterUp(cmd, ctx, services, f));
        },
      );
    });

  addConvergeFlags(program.command('create').description('Creates containers for a service').argument('[services...]'))
    .action(async (services: string[], raw: Record<string, unknown>) => {
      await converge(cmd, services, raw, async (f, ctx) => {
        const opts = { ...upOptions(cmd, f, services, ctx.project, cmd.globals().dryRun), noStart: true };
        if (opts.dryRun) cmd.io.writeOut(await plan(ctx, opts));
        else await up(ctx, { ...opts, lock: lockSettings(cmd) });
      });
    });

  addConvergeFlags(program.command('plan').description('Show what up would do, without changing anything').argument('[services...]'))
    .addOption(new Option('--always-recreate-deps', 'recreate dependent containers'))
    .option('-V, --renew-anon-volumes', 'recreate anonymous volumes')
    .option('--no-deps', "don't include linked services")
    .action(async (services: string[], raw: Record<string, unknown>) => {
      await converge(cmd, services, raw, async (f, ctx) => {
        cmd.io.writeOut(await plan(ctx, upOptions(cmd, f, services, ctx.project, true)));
      });
    });
}
