import type { Command } from 'commander';
import { CONTAINER_STATES, ps } from '../../app/ps.js';
import type { ContainerState } from '../../engine/engine.js';
import { UsageError } from '../../errors/diagnostic.js';
import { LABEL } from '../../model/labels.js';
import type { CommandContext } from '../command-context.js';
import { psJsonObject, psTable } from '../render/ps-view.js';
import { collect, namedContext, parseFormat } from './inspection-support.js';

interface PsFlags {
  all?: boolean;
  quiet?: boolean;
  services?: boolean;
  status?: string[];
  filter?: string[];
  format?: string;
  trunc: boolean;
  orphans: boolean;
}

function parseStates(flags: PsFlags): ContainerState[] {
  const values = [...(flags.status ?? [])];
  for (const f of flags.filter ?? []) {
    const eq = f.indexOf('=');
    const key = eq < 0 ? f : f.slice(0, eq);
    if (key !== 'status' || eq < 0) throw new UsageError(`invalid filter "${f}": only status=<state> is supported`);
    values.push(f.slice(eq + 1));
  }
  return values.map((v) => {
    if ((CONTAINER_STATES as readonly string[]).includes(v)) return v as ContainerState;
    throw new UsageError(`invalid status "${v}": must be one of ${CONTAINER_STATES.join(', ')}`);
  });
}

export function registerPs(program: Command, ctx: CommandContext): void {
  program
    .command('ps')
    .description('List containers')
    .argument('[services...]', 'only these services')
    .option('-a, --all', 'show all containers, stopped and one-off ones too')
    .option('-q, --quiet', 'only display IDs')
    .option('--services', 'display services')
    .option('--status <status>', 'filter by status (repeatable): paused, restarting, removing, running, dead, created, exited', collect)
    .option('--filter <filter>', 'filter by a property (status=<state>)', collect)
    .option('--format <format>', 'table or json', 'table')
    .option('--no-trunc', "don't truncate output")
    .option('--no-orphans', 'hide orphaned containers')
    .action(async (services: string[], flags: PsFlags) => {
      const format = parseFormat(flags.format, ['table', 'json'] as const, 'table');
      const status = parseStates(flags);
      const nctx = await namedContext(ctx, services);
      let entries = await ps(nctx, { services, all: flags.all === true, status });
      if (!flags.orphans && nctx.project !== undefined) {
        const known = nctx.project.services;
        entries = entries.filter((e) => known[e.summary.labels[LABEL.service] ?? ''] !== undefined);
      }
      const io = ctx.io;
      if (flags.services === true) {
        const names = [...new Set(entries.map((e) => e.summary.labels[LABEL.service] ?? ''))].sort();
        io.writeOut(names.map((n) => `${n}\n`).join(''));
        return;
      }
      if (flags.quiet === true) {
        io.writeOut(entries.map((e) => `${e.summary.id}\n`).join(''));
        return;
      }
      const view = { noTrunc: !flags.trunc, nowMs: Date.now() };
      if (format === 'json') io.writeOut(entries.map((e) => `${JSON.stringify(psJsonObject(e, view))}\n`).join(''));
      else io.writeOut(psTable(entries, view));
    });
}
