import { lstat, stat } from 'node:fs/promises';
import { basename, dirname, posix, resolve } from 'node:path';
import type { Engine } from '../engine/engine.js';
import { isEngineError } from '../engine/engine-error.js';
import { UsageError } from '../errors/diagnostic.js';
import type { NamedProjectContext } from './context.js';
import { listProjectContainers, numberOf } from './inspect/project-containers.js';
import { serviceContainer } from './inspect/service-container.js';
import { extractTar } from '../model/extract-tar.js';
import { readTar } from '../model/tar-reader.js';
import { tarPath } from '../model/tar.js';

export type CopyEndpoint = { kind: 'host'; path: string } | { kind: 'container'; service: string; path: string };

/** `SVC:PATH` names a container path; paths starting with `/` or `.` are always local (like docker cp). */
export function parseCopyEndpoint(arg: string): CopyEndpoint {
  if (arg.startsWith('/') || arg.startsWith('.')) return { kind: 'host', path: arg };
  const colon = arg.indexOf(':');
  if (colon <= 0) return { kind: 'host', path: arg };
  return { kind: 'container', service: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

export interface CopyOptions {
  source: string;
  destination: string;
  /** Resolves relative host paths. */
  cwd: string;
  index?: number;
  /** Copy into every container of the service (one-offs included). */
  all: boolean;
  /** `-a`: keep uid/gid. */
  archive: boolean;
  /** `-L`: follow a symlink given as the source. */
  followLink: boolean;
}

/** `SRC/.` means the contents of SRC. */
const contentsOf = (path: string): boolean => path.endsWith('/.') || path === '.';

/** `cp`: copies between a service container and the host, in either direction. */
export async function copy(ctx: NamedProjectContext, opts: CopyOptions): Promise<void> {
  const src = parseCopyEndpoint(opts.source);
  const dst = parseCopyEndpoint(opts.destination);
  if (src.kind === 'container' && dst.kind === 'host') return copyOut(ctx, src, resolve(opts.cwd, dst.path), opts);
  if (src.kind === 'host' && dst.kind === 'container') return copyIn(ctx, resolve(opts.cwd, src.path), dst, opts);
  throw new UsageError('copying between containers is not supported; use SERVICE:SRC_PATH DEST_PATH or SRC_PATH SERVICE:DEST_PATH');
}

async function copyOut(ctx: NamedProjectContext, src: { service: string; path: string }, dest: string, opts: CopyOptions): Promise<void> {
  const c = await serviceContainer(ctx.engine, ctx.projectName, src.service, { running: false, ...(opts.index === undefined ? {} : { index: opts.index }) });
  const existing = await stat(dest).catch(() => undefined);
  const tar = await ctx.engine.copyFrom(c.id, src.path);
  if (existing?.isDirectory() === true && !contentsOf(src.path)) {
    await extractTar(tar, { dest, keepOwner: opts.archive });
    return;
  }
  // A new name (or a file to overwrite): the copied root takes the destination's name.
  const parent = await stat(dirname(dest)).catch(() => undefined);
  if (parent?.isDirectory() !== true) throw new UsageError(`destination directory ${dirname(dest)} does not exist`);
  await extractTar(tar, { dest: dirname(dest), renameRoot: basename(dest), keepOwner: opts.archive });
}

/** What `path` is in the container: read from the first header of its archive. */
async function containerPathKind(engine: Engine, id: string, path: string): Promise<'missing' | 'directory' | 'other'> {
  let tar;
  try {
    tar = await engine.copyFrom(id, path);
  } catch (err) {
    if (isEngineError(err, 'not-found')) return 'missing';
    throw err;
  }
  try {
    // Leaving the loop closes the stream: only the first header is needed.
    for await (const { header } of readTar(tar, { unknownTypes: 'skip' })) return header.type === 'dir' ? 'directory' : 'other';
  } finally {
    tar.destroy();
  }
  return 'missing';
}

async function copyIn(ctx: NamedProjectContext, src: string, dst: { service: string; path: string }, opts: CopyOptions): Promise<void> {
  const st = await (opts.followLink ? stat(src) : lstat(src)).catch(() => undefined);
  if (st === undefined) throw new UsageError(`could not find the file ${src} in the local filesystem`);
  const targets = opts.all
    ? (await listProjectContainers(ctx.engine, ctx.projectName, { services: [dst.service], all: true, oneoff: 'include' })).filter(
        (c) => opts.index === undefined || numberOf(c) === opts.index,
      )
    : [await serviceContainer(ctx.engine, ctx.projectName, dst.service, { running: false, ...(opts.index === undefined ? {} : { index: opts.index }) })];
  if (targets.length === 0) throw new UsageError(`service "${dst.service}" is not running`);
  for (const c of targets) {
    const kind = await containerPathKind(ctx.engine, c.id, dst.path);
    if (kind === 'directory') {
      await ctx.engine.copyTo(c.id, dst.path, tarPath(src, contentsOf(src) && st.isDirectory() ? undefined : basename(src), opts.followLink));
    } else {
      if (st.isDirectory() && kind === 'other') throw new UsageError(`cannot copy a directory to the file ${dst.path}`);
      await ctx.engine.copyTo(c.id, posix.dirname(dst.path), tarPath(src, posix.basename(dst.path), opts.followLink));
    }
  }
}
