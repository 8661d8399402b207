import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';

/** Registers `watch`. */
export function registerWatchCommands(_program: Command, _ctx: CommandContext): void {
  // Filled in by the watch command.
}
