/**
 * `berth image …`: the embedded engine's image store, like `docker image …` (compose has no
 * such commands; `berth images` stays compose's per-service listing).
 */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { imageRows } from '../../app/image/image-rows.js';
import type { ImageRow } from '../../app/image/image-rows.js';
import { importImage, inspectImages, loadImages, pruneImages, pullImage, removeImages, storeCall } from '../../app/image/image-store-use-cases.js';
import { containersUsage, openImageStore } from '../../app/image/open-store.js';
import type { ImageStore } from '../../engine/embedded/image/image-store.js';
import { CommandError } from '../../errors/diagnostic.js';
import type { CommandContext } from '../command-context.js';
import type { CliIo } from '../io.js';
import { createdAgo, humanSize } from '../render/format.js';
import { createProgressRenderer } from '../render/progress.js';
import { renderTable } from '../render/table.js';
import { collect, parseFormat } from './inspection-support.js';
import { reporting } from './lifecycle-shared.js';

const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

/** `docker image ls`'s table: REPOSITORY TAG IMAGE ID CREATED SIZE. */
export function renderImageTable(rows: readonly ImageRow[], nowMs: number): string {
  return renderTable(
    ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'],
    rows.map((r) => [r.repository, r.tag, shortId(r.id), createdAgo(r.created, nowMs), humanSize(r.size)]),
  );
}

export function imageJson(rows: readonly ImageRow[]): string {
  const objects = rows.map((r) => ({ ID: r.id, Repository: r.repository, Tag: r.tag, Digest: r.digest, CreatedAt: new Date(r.created * 1000).toISOString(), Size: r.size }));
  return `${JSON.stringify(objects)}\n`;
}

async function readAnswer(io: CliIo): Promise<string> {
  const rl = createInterface({ input: io.stdin, terminal: false });
  try {
    for await (const line of rl) return line;
    return '';
  } finally {
    rl.close();
  }
}

type Action<A extends unknown[]> = (...args: A) => Promise<void>;

export function registerImageStoreCommands(program: Command, ctx: CommandContext): void {
  const { io } = ctx;
  const store = (write: boolean): Promise<ImageStore> => openImageStore(io.env, { write });
  const run = <A extends unknown[]>(fn: Action<A>): Action<A> => (...args) => reporting(ctx, () => fn(...args));

  const image = program.command('image').description("Manage the embedded engine's images (ls, pull, load, import, tag, inspect, rm, prune)");
  // Settings are copied to subcommands when they are created: set them on the group first.
  image.exitOverride().configureOutput({ writeOut: (t) => io.writeOut(t), writeErr: (t) => io.writeErr(t) });

  image
    .command('ls')
    .alias('list')
    .description('List images')
    .argument('[repository]', 'only images of this repository (REPOSITORY[:TAG])')
    .option('-a, --all', 'show all images (accepted for compatibility; there are no intermediate images)')
    .option('--format <format>', 'table or json', 'table')
    .option('-q, --quiet', 'only display image IDs')
    .action(run(async (repository: string | undefined, flags: { format?: string; quiet?: boolean }) => {
      const format = parseFormat(flags.format, ['table', 'json'] as const, 'table');
      const rows = imageRows(await (await store(false)).list(), repository);
      if (flags.quiet === true) io.writeOut([...new Set(rows.map((r) => `${shortId(r.id)}\n`))].join(''));
      else if (format === 'json') io.writeOut(imageJson(rows));
      else io.writeOut(renderImageTable(rows, Date.now()));
    }));

  image
    .command('inspect')
    .description('Display detailed information on one or more images')
    .argument('<images...>')
    .option('--format <format>', 'json or table', 'json')
    .action(run(async (refs: string[], flags: { format?: string }) => {
      const format = parseFormat(flags.format, ['json', 'table'] as const, 'json');
      const s = await store(false);
      const { found, missing } = await inspectImages(s, refs);
      if (format === 'json') io.writeOut(`${JSON.stringify(found, null, 4)}\n`);
      else {
        const infos = (await s.list()).filter((i) => found.some((f) => f.Id === i.id));
        io.writeOut(renderImageTable(imageRows(infos), Date.now()));
      }
      if (missing.length > 0) throw new CommandError(missing.map((m) => `No such image: ${m}`).join('\n'));
    }));

  image
    .command('pull')
    .description('Download an image from a registry')
    .argument('<image>', 'NAME[:TAG|@DIGEST]')
    .option('--platform <platform>', 'platform (os/arch[/variant]) when the image is multi-platform')
    .option('-q, --quiet', 'suppress verbose output')
    .action(run(async (ref: string, flags: { platform?: string; quiet?: boolean }) => {
      const s = await store(true);
      const progress = flags.quiet === true ? { sink: () => undefined, done: () => undefined } : createProgressRenderer(ctx.globals(), io);
      try {
        await pullImage(s, ref, { events: progress.sink, signal: ctx.signal, ...(flags.platform !== undefined ? { platform: flags.platform } : {}) });
      } finally {
        progress.done();
      }
      io.writeOut(`${ref}\n`);
    }));

  image
    .command('load')
    .description('Load images from a tar archive (docker save, OCI layout), or standard input')
    .option('-i, --input <file>', 'read from a tar archive file instead of standard input')
    .option('-q, --quiet', 'suppress the load output')
    .action(run(async (flags: { input?: string; quiet?: boolean }) => {
      if (flags.input === undefined && io.stdinIsTTY) throw new CommandError('requested load from stdin, but stdin is a terminal: use -i FILE or redirect stdin');
      const s = await store(true);
      const loaded = await loadImages(s, flags.input !== undefined ? { kind: 'file', path: flags.input } : { kind: 'stream', stream: io.stdin });
      if (flags.quiet === true) return;
      const lines = loaded.flatMap((l) => (l.tags.length > 0 ? l.tags.map((t) => `Loaded image: ${t}\n`) : [`Loaded image ID: ${l.id}\n`]));
      io.writeOut(lines.join(''));
    }));

  image
    .command('import')
    .description('Import the contents of a root file system tarball to create an image')
    .argument('<file>', 'tar file (plain or gzip), or - for standard input')
    .argument('[reference]', 'REPOSITORY[:TAG] for the new image')
    .option('-c, --change <instruction>', 'apply a Dockerfile instruction to the image (repeatable)', collect)
    .option('--platform <platform>', 'platform of the image (os/arch[/variant])')
    .action(run(async (file: string, ref: string | undefined, flags: { change?: string[]; platform?: string }) => {
      const s = await store(true);
      const info = await importImage(s, file === '-' ? { kind: 'stream', stream: io.stdin } : { kind: 'file', path: file }, {
        changes: flags.change ?? [],
        ...(ref !== undefined ? { ref } : {}),
        ...(flags.platform !== undefined ? { platform: flags.platform } : {}),
      });
      io.writeOut(`${info.id}\n`);
    }));

  image
    .command('tag')
    .description('Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE')
    .argument('<source>')
    .argument('<target>')
    .action(run(async (source: string, target: string) => {
      const s = await store(true);
      await storeCall(`tagging ${source}`, () => s.tag(source, target));
    }));

  image
    .command('rm')
    .alias('remove')
    .description('Remove one or more images')
    .argument('<images...>')
    .option('-f, --force', 'force removal of the image')
    .action(run(async (refs: string[], flags: { force?: boolean }) => {
      const s = await store(true);
      const outcomes = await removeImages(s, refs, flags.force === true, await containersUsage(io.env));
      for (const o of outcomes) {
        io.writeOut([...o.untagged.map((t) => `Untagged: ${t}\n`), ...o.deleted.map((d) => `Deleted: ${d}\n`)].join(''));
        if (o.error !== undefined) io.writeErr(`error: ${o.error}\n`);
      }
      if (outcomes.some((o) => o.error !== undefined)) ctx.setExitCode(1);
    }));

  image
    .command('prune')
    .description('Remove unused images')
    .option('-a, --all', 'remove all images not used by a container, not just dangling ones')
    .option('-f, --force', 'do not prompt for confirmation')
    .action(run(async (flags: { all?: boolean; force?: boolean }) => {
      const all = flags.all === true;
      if (flags.force !== true) {
        const what = all ? 'all images without at least one container associated to them' : 'all dangling images';
        io.writeErr(`WARNING! This will remove ${what}.\nAre you sure you want to continue? [y/N] `);
        if (!/^y(es)?$/i.test((await readAnswer(io)).trim())) return;
      }
      const s = await store(true);
      const result = await pruneImages(s, all, await containersUsage(io.env));
      if (result.images.length > 0) {
        const lines = result.images.flatMap((i) => [...i.untagged.map((t) => `untagged: ${t}\n`), `deleted: ${i.id}\n`]);
        io.writeOut(`Deleted Images:\n${lines.join('')}\n`);
      }
      io.writeOut(`Total reclaimed space: ${humanSize(result.reclaimed)}\n`);
    }));
}
