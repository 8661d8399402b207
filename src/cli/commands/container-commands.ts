import type { Command } from 'commander';
import { down } from '../../app/down.js';
import { checkServices } from '../../app/lifecycle/common.js';
import { kill } from '../../app/kill.js';
import { pause, unpause } from '../../app/pause.js';
import { restart } from '../../app/restart.js';
import { rm } from '../../app/rm.js';
import { start } from '../../app/start.js';
import { stop } from '../../app/stop.js';
import { UsageError } from '../../errors/diagnostic.js';
import type { CommandContext } from '../command-context.js';
import { namedSession, parseTimeout, reporting } from './lifecycle-shared.js';
import type { NamedProjectContext } from '../../app/context.js';

async function withSession(cmd: CommandContext, services: string[], fn: (ctx: NamedProjectContext) => Promise<void>): Promise<void> {
  await reporting(cmd, async () => {
    const { ctx, progress } = await namedSession(cmd);
    try {
      checkServices(ctx.project, services);
      await fn(ctx);
    } finally {
      progress.done();
    }
  });
}

function timeoutOf(raw: { timeout?: string }): { timeoutSeconds?: number } {
  const t = parseTimeout(raw.timeout);
  return t !== undefined ? { timeoutSeconds: t } : {};
}

export function registerContainerCommands(program: Command, cmd: CommandContext): void {
  program
    .command('down')
    .description('Stop and remove containers, networks')
    .argument('[services...]')
    .option('-v, --volumes', 'remove named volumes declared in the "volumes" section of the compose file and anonymous volumes attached to containers')
    .option('--rmi <type>', 'remove images used by services: "local" removes only images that don\'t have a custom tag, "all" removes all images')
    .option('--remove-orphans', 'remove containers for services not defined in the compose file')
    .option('-t, --timeout <seconds>', 'specify a shutdown timeout in seconds')
    .action(async (services: string[], raw: { volumes?: boolean; rmi?: string; removeOrphans?: boolean; timeout?: string }) => {
      if (raw.rmi !== undefined && raw.rmi !== 'local' && raw.rmi !== 'all') throw new UsageError(`invalid value for --rmi: "${raw.rmi}": must be "local" or "all"`);
      const rmi = raw.rmi;
      const env = cmd.io.env;
      if (cmd.globals().dryRun) return;
      await withSession(cmd, services, (ctx) =>
        down(ctx, {
          services,
          volumes: raw.volumes === true,
          removeOrphans: raw.removeOrphans === true || env.COMPOSE_REMOVE_ORPHANS === 'true' || env.COMPOSE_REMOVE_ORPHANS === '1',
          ...(rmi !== undefined ? { rmi } : {}),
          ...timeoutOf(raw),
        }),
      );
    });

  program
    .command('start')
    .description('Start services')
    .argument('[services...]')
    .option('--wait', 'wait for services to be running|healthy')
    .option('--wait-timeout <seconds>', 'maximum duration to wait for the project to be running|healthy')
    .action(async (services: string[], raw: { wait?: boolean; waitTimeout?: string }) => {
      if (cmd.globals().dryRun) return;
      await withSession(cmd, services, (ctx) => start(ctx, { services, wait: raw.wait === true, ...(raw.waitTimeout !== undefined ? { waitTimeoutSeconds: Number(raw.waitTimeout) } : {}) }));
    });

  program
    .command('stop')
    .description('Stop services')
    .argument('[services...]')
    .option('-t, --timeout <seconds>', 'specify a shutdown timeout in seconds')
    .action(async (services: string[], raw: { timeout?: string }) => {
      if (cmd.globals().dryRun) return;
      await withSession(cmd, services, (ctx) => stop(ctx, { services, ...timeoutOf(raw) }));
    });

  program
    .command('restart')
    .description('Restart service containers')
    .argument('[services...]')
    .option('--no-deps', "don't restart dependent services")
    .option('-t, --timeout <seconds>', 'specify a shutdown timeout in seconds')
    .action(async (services: string[], raw: { deps: boolean; timeout?: string }) => {
      if (cmd.globals().dryRun) return;
      await withSession(cmd, services, (ctx) => restart(ctx, { services, noDeps: !raw.deps, ...timeoutOf(raw) }));
    });

  program
    .command('kill')
    .description('Force stop service containers')
    .argument('[services...]')
    .option('-s, --signal <signal>', 'SIGNAL to send to the container', 'SIGKILL')
    .option('--remove-orphans', 'remove containers for services not defined in the compose file')
    .action(async (services: string[], raw: { signal: string }) => {
      if (cmd.globals().dryRun) return;
      await withSession(cmd, services, (ctx) => kill(ctx, { services, signal: raw.signal }));
    });

  program
    .command('rm')
    .description('Removes stopped service containers')
    .argument('[services...]')
    .option('-f, --force', "don't ask to confirm removal")
    .option('-s, --stop', 'stop the containers, if required, before removing')
    .option('-v, --volumes', 'remove any anonymous volumes attached to containers')
    .action(async (services: string[], raw: { stop?: boolean; volumes?: boolean }) => {
      if (cmd.globals().dryRun) return;
      await withSession(cmd, services, async (ctx) => {
        const removed = await rm(ctx, { services, stop: raw.stop === true, volumes: raw.volumes === true });
        if (removed.length === 0) cmd.io.writeErr('No stopped containers\n');
      });
    });

  program
    .command('pause')
    .description('Pause services')
    .argument('[services...]')
    .action(async (services: string[]) => {
      if (cmd.globals().dryRun) return;
      await withSession(cmd, services, (ctx) => pause(ctx, services));
    });

  program
    .command('unpause')
    .description('Unpause services')
    .argument('[services...]')
    .action(async (services: string[]) => {
      if (cmd.globals().dryRun) return;
      await withSession(cmd, services, (ctx) => unpause(ctx, services));
    });
}
