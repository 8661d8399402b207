import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { registerEvents, registerWait } from './events-wait-command.js';
import { registerCp, registerExec } from './exec-cp-command.js';
import { registerImages, registerLs, registerPort, registerTop } from './listing-commands.js';
import { registerLogs } from './logs-command.js';
import { registerPs } from './ps-command.js';

/** Registers the commands that look at a project: ps, logs, port, top, images, ls, events, wait, exec, cp. */
export function registerInspectionCommands(program: Command, ctx: CommandContext): void {
  registerPs(program, ctx);
  registerLogs(program, ctx);
  registerPort(program, ctx);
  registerTop(program, ctx);
  registerImages(program, ctx);
  registerLs(program, ctx);
  registerEvents(program, ctx);
  registerWait(program, ctx);
  registerExec(program, ctx);
  registerCp(program, ctx);
}
