import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { tarStream, type TarEntry } from '../../model/tar.js';
import type { SyncItem } from './batch-plan.js';

/** What a batch's syncs resolve to once the host files are looked at (at copy time, not event time). */
export interface ResolvedSync {
  /** Archive members, paths relative to `/` in the container. */
  entries: TarEntry[];
  /** Container paths to remove. */
  deletions: string[];
  /** Regular files and symlinks copied (directories not counted). */
  files: number;
}

function entryOf(st: Stats, hostPath: string, containerPath: string, link: string | undefined): TarEntry | undefined {
  // Ownership and mode come from the host file, as docker compose's tar sync does.
  const base = { path: containerPath.replace(/^\/+/, ''), mode: st.mode & 0o7777, mtime: Math.floor(st.mtimeMs / 1000), uid: st.uid, gid: st.gid };
  if (st.isDirectory()) return { ...base, type: 'dir' };
  if (st.isSymbolicLink() && link !== undefined) return { ...base, type: 'symlink', linkTarget: link };
  if (st.isFile()) return { ...base, type: 'file', content: { file: hostPath, size: st.size } };
  return undefined;
}

async function statOrMissing(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch {
    return undefined;
  }
}

/**
 * Looks at each changed path now: a path written then removed before the batch ran is a
 * deletion; a new directory is copied with everything in it that the rule accepts.
 */
export async function resolveSync(items: readonly SyncItem[]): Promise<ResolvedSync> {
  const entries = new Map<string, TarEntry>();
  const deletions = new Set<string>();
  const add = async (hostPath: string, containerPath: string, item: SyncItem): Promise<void> => {
    const st = await statOrMissing(hostPath);
    if (st === undefined) {
      if (containerPath === item.containerPath) deletions.add(containerPath);
      return;
    }
    const link = st.isSymbolicLink() ? await readlink(hostPath).catch(() => undefined) : undefined;
    const entry = entryOf(st, hostPath, containerPath, link);
    if (entry === undefined) return;
    entries.set(entry.path, entry);
    if (!st.isDirectory()) return;
    let children: Dirent[];
    try {
      children = await readdir(hostPath, { withFileTypes: true });
    } catch {
      return;
    }
    for (const child of children.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const childHost = join(hostPath, child.name);
      if (!item.rule.filter.accepts(childHost) && item.rule.filter.prunes(childHost)) continue;
      if (!item.rule.filter.accepts(childHost) && !child.isDirectory()) continue;
      await add(childHost, posix.join(containerPath, child.name), item);
    }
  };
  for (const item of items) {
    if (item.kind === 'delete') deletions.add(item.containerPath);
    else await add(item.hostPath, item.containerPath, item);
  }
  // A path both deleted and re-created in one batch is a write; parents before children.
  for (const path of entries.keys()) deletions.delete(`/${path}`);
  const list = [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { entries: list, deletions: [...deletions].sort(), files: list.filter((e) => e.type !== 'dir').length };
}

/** A fresh archive stream of the entries (one per container: a stream is read once). */
export function syncArchive(entries: readonly TarEntry[]): Readable {
  return tarStream(entries);
}
