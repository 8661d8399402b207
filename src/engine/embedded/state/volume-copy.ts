/**
 * Copy-up of image content into a fresh volume: a tree copy that keeps modes (incl. setuid,
 * setgid, sticky), owners, timestamps, symlinks and hard links. Device nodes, fifos and sockets
 * are skipped (Node cannot create them).
 */
import { chmod, chown, copyFile, lchown, link, lstat, lutimes, mkdir, readdir, readlink, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Stats } from 'node:fs';

async function applyMeta(path: string, st: Stats): Promise<void> {
  // chown first: it clears setuid/setgid, which chmod then restores.
  await chown(path, st.uid, st.gid);
  await chmod(path, st.mode & 0o7777);
}

async function copyEntry(src: string, dst: string, links: Map<string, string>): Promise<void> {
  const st = await lstat(src);
  if (st.isDirectory()) {
    await mkdir(dst);
    await copyChildren(src, dst, links);
    await applyMeta(dst, st);
    await utimes(dst, st.atime, st.mtime);
  } else if (st.isFile()) {
    const key = `${st.dev}:${st.ino}`;
    const first = st.nlink > 1 ? links.get(key) : undefined;
    if (first !== undefined) {
      await link(first, dst);
      return;
    }
    await copyFile(src, dst);
    await applyMeta(dst, st);
    await utimes(dst, st.atime, st.mtime);
    if (st.nlink > 1) links.set(key, dst);
  } else if (st.isSymbolicLink()) {
    await symlink(await readlink(src), dst);
    await lchown(dst, st.uid, st.gid);
    await lutimes(dst, st.atime, st.mtime);
  }
}

async function copyChildren(src: string, dst: string, links: Map<string, string>): Promise<void> {
  const names = (await readdir(src)).sort();
  for (const name of names) await copyEntry(join(src, name), join(dst, name), links);
}

/** Copies the contents of directory `src` into the existing, empty directory `dst`, giving `dst` the owner and mode of `src`. */
export async function copyDirContents(src: string, dst: string): Promise<void> {
  const st = await lstat(src);
  await copyChildren(src, dst, new Map());
  await applyMeta(dst, st);
}

/**
 * `path` (absolute, as seen inside the container) resolved inside `root`: symlinks are followed
 * as the container would see them, so none can lead out of `root`. Undefined when missing.
 */
export async function resolveInRoot(root: string, path: string): Promise<string | undefined> {
  let pending = path.split('/').filter((p) => p !== '' && p !== '.');
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const [part, ...rest] = pending;
    pending = rest;
    if (part === undefined) break;
    if (part === '..') {
      done.pop();
      continue;
    }
    const host = join(root, ...done, part);
    const st = await lstat(host).catch(() => undefined);
    if (st === undefined) return undefined;
    if (!st.isSymbolicLink()) {
      done.push(part);
      continue;
    }
    if (++hops > 40) return undefined;
    const target = await readlink(host);
    const parts = target.split('/').filter((p) => p !== '' && p !== '.');
    if (target.startsWith('/')) done.length = 0;
    pending = [...parts, ...pending];
  }
  return join(root, ...done);
}
