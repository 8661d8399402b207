import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';

/** Registers the commands that change a project: up, down, create, start, stop, restart, kill, rm, pause, unpause, pull, build, run, plan. */
export function registerLifecycleCommands(_program: Command, _ctx: CommandContext): void {
  // Filled in by the lifecycle commands.
}
