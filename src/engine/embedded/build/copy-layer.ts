/**
 * The entries of a COPY/ADD (or WORKDIR) layer: the copied files under their destination, and
 * every parent directory — with its metadata from the image when it exists there (as a
 * copied-up directory would have), else created 0755 (owned by --chown when given).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Stats } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { LayerView } from '../image/image-config.js';
import { walkSource } from './copy-sources.js';
import type { SourceItem, SourceRoot } from './copy-sources.js';
import type { LayerEntry } from './layer-tar.js';
import { mergedLstat } from './merged-view.js';
import { devMajor, devMinor } from './upper-diff.js';

export interface CopyOptions {
  /** Absolute destination inside the image (already joined with WORKDIR). */
  dest: string;
  /** The destination names a directory (trailing slash, several sources, or a directory in the image). */
  destIsDir: boolean;
  owner?: { uid: number; gid: number };
  chmod?: number;
  /** Keep the sources' owners (extracted archives) instead of root. */
  keepOwners?: boolean;
  now: number;
}

function entryFor(path: string, st: Stats, abs: string, opts: CopyOptions, link: string | undefined): LayerEntry | undefined {
  const owner = opts.owner ?? (opts.keepOwners === true ? { uid: st.uid, gid: st.gid } : { uid: 0, gid: 0 });
  const mode = opts.chmod ?? st.mode & 0o7777;
  const base = { path, mode, ...owner, mtime: Math.floor(st.mtimeMs / 1000) };
  if (st.isDirectory()) return { ...base, type: 'dir' };
  if (st.isFile()) return { ...base, type: 'file', size: st.size, source: { file: abs } };
  if (st.isSymbolicLink()) return { ...base, mode: 0o777, type: 'symlink', linkTarget: link ?? '' };
  if (st.isCharacterDevice() || st.isBlockDevice()) return { ...base, type: st.isCharacterDevice() ? 'char' : 'block', devmajor: devMajor(st.rdev), devminor: devMinor(st.rdev) };
  if (st.isFIFO()) return { ...base, type: 'fifo' };
  return undefined;
}

/** Adds the items (and everything below directory items) to `out`, keyed by layer path. */
export async function addCopyItems(out: Map<string, LayerEntry>, src: SourceRoot, items: readonly SourceItem[], opts: CopyOptions): Promise<void> {
  const dest = posix.normalize(opts.dest).replace(/^\/+/, '').replace(/\/+$/, '');
  for (const it of items) {
    const abs = join(src.root, it.rel);
    if (it.st.isDirectory()) {
      for (const child of await walkSource(src, it.rel)) {
        const childAbs = join(abs, child.rel);
        const path = dest === '' ? child.rel : `${dest}/${child.rel}`;
        const e = entryFor(path, child.st, childAbs, opts, child.st.isSymbolicLink() ? await readlink(childAbs) : undefined);
        if (e !== undefined) out.set(path, e);
      }
      continue;
    }
    const path = opts.destIsDir ? (dest === '' ? it.name : `${dest}/${it.name}`) : dest;
    const e = entryFor(path, it.st, abs, opts, it.st.isSymbolicLink() ? await readlink(abs) : undefined);
    if (e !== undefined) out.set(path, e);
  }
}

function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  }
  return pa.length - pb.length;
}

/**
 * The entries sorted parents-first, with every missing ancestor added; `ensureDirs` are extra
 * directories the layer must hold (the COPY destination, a WORKDIR).
 */
export async function withParents(entries: Map<string, LayerEntry>, layers: readonly LayerView[], ensureDirs: readonly string[], opts: { owner?: { uid: number; gid: number }; now: number }): Promise<LayerEntry[]> {
  const wanted = new Set<string>();
  for (const d of ensureDirs) {
    const clean = posix.normalize(d).replace(/^\/+/, '').replace(/\/+$/, '');
    if (clean !== '' && clean !== '.') wanted.add(clean);
  }
  for (const path of entries.keys()) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) wanted.add(parts.slice(0, i).join('/'));
  }
  for (const dir of wanted) {
    if (entries.has(dir)) continue;
    const parts = dir.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (entries.has(p)) continue;
      const st = await mergedLstat(layers, p);
      if (st?.isDirectory() === true) {
        entries.set(p, { path: p, type: 'dir', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) });
      } else {
        entries.set(p, { path: p, type: 'dir', mode: 0o755, ...(opts.owner ?? { uid: 0, gid: 0 }), mtime: opts.now });
      }
    }
  }
  return [...entries.values()].sort((a, b) => comparePaths(a.path, b.path));
}

/** A content hash of the entries (paths, types, modes, owners, link targets, file bytes) for the build cache. */
export async function hashEntries(entries: readonly LayerEntry[]): Promise<string> {
  const h = createHash('sha256');
  for (const e of entries) {
    h.update(`${e.path}\0${e.type}\0${e.mode}\0${e.uid}:${e.gid}\0${e.linkTarget ?? ''}\0${e.devmajor ?? 0}:${e.devminor ?? 0}\0`);
    if (e.type === 'file' && e.source !== undefined) {
      if ('data' in e.source) h.update(e.source.data);
      else for await (const chunk of createReadStream(e.source.file)) h.update(chunk as Buffer);
    }
    h.update('\n');
  }
  return `sha256:${h.digest('hex')}`;
}
