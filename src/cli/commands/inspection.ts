import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';

/** Registers the commands that look at a project: ps, logs, port, top, images, ls, events, wait, exec, cp. */
export function registerInspectionCommands(_program: Command, _ctx: CommandContext): void {
  // Filled in by the inspection commands.
}
