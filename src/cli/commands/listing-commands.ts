import type { Command } from 'commander';
import { images } from '../../app/images.js';
import { listProjects } from '../../app/ls.js';
import { port } from '../../app/port.js';
import { top } from '../../app/top.js';
import { UsageError } from '../../errors/diagnostic.js';
import type { CommandContext } from '../command-context.js';
import { humanSize } from '../render/format.js';
import { renderTable } from '../render/table.js';
import { collect, namedContext, parseFormat, parseInteger } from './inspection-support.js';

export function registerPort(program: Command, ctx: CommandContext): void {
  program
    .command('port')
    .description('Print the public port for a port binding')
    .argument('<service>', 'service name')
    .argument('<private_port>', 'container port')
    .option('--protocol <protocol>', 'tcp or udp', 'tcp')
    .option('--index <n>', 'index of the container if the service has multiple replicas')
    .action(async (service: string, privatePort: string, flags: { protocol: string; index?: string }) => {
      if (!['tcp', 'udp', 'sctp'].includes(flags.protocol)) throw new UsageError(`invalid protocol "${flags.protocol}": use tcp or udp`);
      const nctx = await namedContext(ctx, [service]);
      const index = flags.index === undefined ? undefined : parseInteger('--index', flags.index, 1);
      const found = await port(nctx, { service, privatePort: parseInteger('private port', privatePort, 1), protocol: flags.protocol, ...(index === undefined ? {} : { index }) });
      ctx.io.writeOut(`${found.hostIp.includes(':') ? `[${found.hostIp}]` : found.hostIp}:${found.hostPort}\n`);
    });
}

export function registerTop(program: Command, ctx: CommandContext): void {
  program
    .command('top')
    .description('Display the running processes')
    .argument('[services...]', 'only these services')
    .action(async (services: string[]) => {
      const nctx = await namedContext(ctx, services);
      const result = await top(nctx, services);
      ctx.io.writeOut(result.map((r) => `${r.name}\n${renderTable(r.top.titles, r.top.processes)}`).join('\n'));
    });
}

export function registerImages(program: Command, ctx: CommandContext): void {
  program
    .command('images')
    .description('List images used by the created containers')
    .argument('[services...]', 'only these services')
    .option('--format <format>', 'table or json', 'table')
    .option('-q, --quiet', 'only display IDs')
    .action(async (services: string[], flags: { format?: string; quiet?: boolean }) => {
      const format = parseFormat(flags.format, ['table', 'json'] as const, 'table');
      const nctx = await namedContext(ctx, services);
      const list = await images(nctx, services);
      const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);
      if (flags.quiet === true) {
        ctx.io.writeOut([...new Set(list.map((i) => `${shortId(i.id)}\n`))].join(''));
      } else if (format === 'json') {
        const objects = list.map((i) => ({ ID: i.id, ContainerName: i.container, Repository: i.repository, Tag: i.tag, Size: i.size }));
        ctx.io.writeOut(`${JSON.stringify(objects)}\n`);
      } else {
        const rows = list.map((i) => [i.container, i.repository, i.tag, shortId(i.id), humanSize(i.size)]);
        ctx.io.writeOut(renderTable(['CONTAINER', 'REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE'], rows));
      }
    });
}

export function registerLs(program: Command, ctx: CommandContext): void {
  program
    .command('ls')
    .description('List running compose projects')
    .option('-a, --all', 'show all stopped projects too')
    .option('--filter <filter>', 'filter output (name=<regexp>)', collect)
    .option('--format <format>', 'table or json', 'table')
    .option('-q, --quiet', 'only display project names')
    .action(async (flags: { all?: boolean; filter?: string[]; format?: string; quiet?: boolean }) => {
      const format = parseFormat(flags.format, ['table', 'json'] as const, 'table');
      let nameFilter: string | undefined;
      for (const f of flags.filter ?? []) {
        if (!f.startsWith('name=')) throw new UsageError(`invalid filter "${f}": only name=<regexp> is supported`);
        nameFilter = f.slice('name='.length);
      }
      const list = await listProjects(await ctx.engine(), { all: flags.all === true, ...(nameFilter === undefined ? {} : { nameFilter }) });
      if (flags.quiet === true) ctx.io.writeOut(list.map((p) => `${p.name}\n`).join(''));
      else if (format === 'json') ctx.io.writeOut(`${JSON.stringify(list.map((p) => ({ Name: p.name, Status: p.status, ConfigFiles: p.configFiles })))}\n`);
      else ctx.io.writeOut(renderTable(['NAME', 'STATUS', 'CONFIG FILES'], list.map((p) => [p.name, p.status, p.configFiles])));
    });
}
