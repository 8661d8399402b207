import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { registerContainerCommands } from './container-commands.js';
import { registerImageCommands } from './image-commands.js';
import { registerRun } from './run-command.js';
import { registerUp } from './up-command.js';

/** Registers the commands that change a project: up, down, create, start, stop, restart, kill, rm, pause, unpause, pull, build, run, plan. */
export function registerLifecycleCommands(program: Command, ctx: CommandContext): void {
  registerUp(program, ctx);
  registerContainerCommands(program, ctx);
  registerImageCommands(program, ctx);
  registerRun(program, ctx);
}
