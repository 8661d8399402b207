import { chmod, chown, link, lstat, mkdir, open, symlink, unlink, utimes } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { readTar } from './tar-reader.js';

export interface ExtractOptions {
  /** Directory the archive lands in (must exist). */
  dest: string;
  /** Replace the first path component of every entry (`docker cp` renames the copied root). */
  renameRoot?: string;
  /** `-a`: keep the archive's uid/gid (when allowed). */
  keepOwner: boolean;
}

/** Components of an entry name, with `.` dropped; undefined when it climbs out (`..`) or is absolute. */
function safeParts(name: string): string[] | undefined {
  if (name.startsWith('/')) return undefined;
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  return parts.includes('..') ? undefined : parts;
}

/** Refuses to write through a symlink: every existing parent below `root` must be a real directory. */
async function assertNoSymlinkParents(root: string, target: string): Promise<void> {
  const rel = relative(root, dirname(target));
  let current = root;
  for (const part of rel === '' ? [] : rel.split(sep)) {
    current = join(current, part);
    const st = await lstat(current).catch(() => undefined);
    if (st === undefined) return;
    if (st.isSymbolicLink() || !st.isDirectory()) throw new Error(`refusing to write through ${current}: not a directory`);
  }
}

/**
 * Extracts a tar stream under `dest` safely: nothing is written outside it, links in the archive
 * are created but never followed, and modes and times are kept.
 */
export async function extractTar(stream: Readable | AsyncIterable<Buffer>, opts: ExtractOptions): Promise<void> {
  const root = resolve(opts.dest);
  const dirModes: Array<{ path: string; mode: number; mtime: number }> = [];
  for await (const { header: h, body } of readTar(stream as AsyncIterable<Buffer>, { unknownTypes: 'skip' })) {
    const parts = safeParts(h.path);
    if (parts === undefined) throw new Error(`refusing to extract ${h.path}: outside the destination`);
    if (opts.renameRoot !== undefined) {
      if (parts.length === 0) parts.push(opts.renameRoot);
      else parts[0] = opts.renameRoot;
    }
    if (parts.length === 0) continue;
    const target = join(root, ...parts);
    const rel = relative(root, target);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`refusing to extract ${h.path}: outside the destination`);
    await assertNoSymlinkParents(root, target);
    const existing = await lstat(target).catch(() => undefined);
    switch (h.type) {
      case 'dir':
        if (existing !== undefined && !existing.isDirectory()) throw new Error(`cannot overwrite non-directory ${target} with a directory`);
        await mkdir(target, { recursive: true });
        dirModes.push({ path: target, mode: h.mode & 0o7777, mtime: h.mtime });
        break;
      case 'file': {
        if (existing?.isDirectory() === true) throw new Error(`cannot overwrite directory ${target} with a file`);
        if (existing !== undefined) await unlink(target);
        const fh = await open(target, 'wx', 0o600);
        try {
          for await (const chunk of body) await fh.write(chunk);
        } finally {
          await fh.close();
        }
        await chmod(target, h.mode & 0o7777);
        await utimes(target, h.mtime, h.mtime);
        break;
      }
      case 'symlink':
        if (existing?.isDirectory() === true) throw new Error(`cannot overwrite directory ${target} with a symlink`);
        if (existing !== undefined) await unlink(target);
        await symlink(h.linkTarget, target);
        break;
      case 'hardlink': {
        const linkParts = safeParts(h.linkTarget);
        if (linkParts === undefined) throw new Error(`refusing hard link ${h.path} → ${h.linkTarget}: outside the destination`);
        if (opts.renameRoot !== undefined && linkParts.length > 0) linkParts[0] = opts.renameRoot;
        if (existing !== undefined) await unlink(target);
        await link(join(root, ...linkParts), target);
        break;
      }
      case 'char':
      case 'block':
      case 'fifo':
        // Device nodes and FIFOs are not created by a copy.
        continue;
    }
    if (opts.keepOwner && h.type !== 'symlink') await chown(target, h.uid, h.gid).catch(() => undefined);
  }
  // Directory modes last, so a read-only directory does not stop its own contents.
  for (const d of dirModes.reverse()) {
    await chmod(d.path, d.mode);
    await utimes(d.path, d.mtime, d.mtime);
  }
}
