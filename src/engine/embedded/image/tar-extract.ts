/**
 * Extracts one layer tar into a directory in overlay-native form: `.wh.X` becomes a 0:0
 * character device `X`, `.wh..wh..opq` makes its directory opaque. Nothing is ever written
 * outside the target: member names are cleaned lexically (`..` that would climb above the
 * root is refused), and every parent is walked with lstat — a symlink or non-directory on the
 * way is refused instead of followed. Modes (setuid, setgid, sticky) are set with chmod after
 * chown, so neither the umask nor the chown clears them.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, rm, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readTar } from '../../../model/tar-reader.js';
import type { TarHeader } from '../../../model/tar-reader.js';

const run = promisify(execFile);

export class UnsafeEntryError extends Error {
  constructor(entry: string, reason: string) {
    super(`refusing layer entry "${entry}": ${reason}`);
    this.name = 'UnsafeEntryError';
  }
}

export interface ExtractResult {
  /** Directories (relative, `/`-separated, `''` for the root) marked opaque. */
  opaqueDirs: string[];
  /** Bytes of regular-file content written. */
  size: number;
}

/** Xattrs applied from pax records; `trusted.overlay.*` and the like could rewrite overlay semantics. */
function allowedXattr(name: string): boolean {
  return name === 'security.capability' || name.startsWith('user.');
}

/** Cleaned path components, or undefined when the name climbs above the root. */
export function cleanMemberPath(name: string): string[] | undefined {
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(p);
  }
  return parts;
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

class Extractor {
  private readonly dirTimes: Array<{ path: string; mtime: number }> = [];
  private readonly opaque = new Set<string>();
  private readonly xattrs: Array<{ path: string; name: string; value: Buffer }> = [];
  size = 0;

  constructor(private readonly root: string) {}

  /** Walks (creating when asked) the parent directories of `parts` without following symlinks. */
  private async parentDir(entry: string, parts: readonly string[], create: boolean): Promise<string> {
    let cur = this.root;
    for (const p of parts) {
      cur = join(cur, p);
      const st = await lstatOrUndefined(cur);
      if (st === undefined) {
        if (!create) throw new UnsafeEntryError(entry, `${parts.join('/')} does not exist in the layer`);
        await mkdir(cur, { mode: 0o755 });
        await chmod(cur, 0o755);
        continue;
      }
      if (!st.isDirectory()) throw new UnsafeEntryError(entry, `parent ${p} is ${st.isSymbolicLink() ? 'a symlink' : 'not a directory'}`);
    }
    return cur;
  }

  private async mknod(path: string, kind: 'c' | 'b' | 'p', major: number, minor: number): Promise<void> {
    const args = kind === 'p' ? [path, 'p'] : [path, kind, String(major), String(minor)];
    await run('mknod', args);
  }

  async entry(h: TarHeader, body: AsyncIterable<Buffer>): Promise<void> {
    const parts = cleanMemberPath(h.path);
    if (parts === undefined) throw new UnsafeEntryError(h.path, 'path escapes the layer root');
    if (parts.length === 0) {
      if (h.type !== 'dir') throw new UnsafeEntryError(h.path, 'the layer root must be a directory');
      await this.metadata(this.root, h, true);
      return;
    }
    const name = parts[parts.length - 1]!;
    const parent = await this.parentDir(h.path, parts.slice(0, -1), true);
    if (name.startsWith('.wh.')) {
      await this.whiteout(parts.slice(0, -1), parent, name);
      return;
    }
    const target = join(parent, name);
    const existing = await lstatOrUndefined(target);
    if (existing !== undefined && !(h.type === 'dir' && existing.isDirectory())) await rm(target, { recursive: true, force: true });

    switch (h.type) {
      case 'dir':
        if (existing === undefined || !existing.isDirectory()) await mkdir(target, { mode: 0o700 });
        await this.metadata(target, h, true);
        break;
      case 'file': {
        const fh = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        try {
          for await (const chunk of body) await fh.write(chunk);
          await fh.chown(h.uid, h.gid);
          await fh.chmod(h.mode);
          await fh.utimes(h.mtime, h.mtime);
        } finally {
          await fh.close();
        }
        this.size += h.size;
        this.queueXattrs(target, h);
        break;
      }
      case 'symlink':
        await symlink(h.linkTarget, target);
        await lchown(target, h.uid, h.gid);
        await lutimes(target, h.mtime, h.mtime);
        break;
      case 'hardlink': {
        const src = cleanMemberPath(h.linkTarget);
        if (src === undefined || src.length === 0) throw new UnsafeEntryError(h.path, `hard link target ${h.linkTarget} escapes the layer root`);
        const srcParent = await this.parentDir(h.path, src.slice(0, -1), false);
        const srcPath = join(srcParent, src[src.length - 1]!);
        const st = await lstatOrUndefined(srcPath);
        if (st === undefined) throw new UnsafeEntryError(h.path, `hard link target ${h.linkTarget} is not in the layer`);
        if (st.isDirectory()) throw new UnsafeEntryError(h.path, `hard link target ${h.linkTarget} is a directory`);
        // The inode is shared: its mode and owner are the target's, never rewritten here.
        await link(srcPath, target);
        break;
      }
      case 'char':
      case 'block':
      case 'fifo':
        await this.mknod(target, h.type === 'char' ? 'c' : h.type === 'block' ? 'b' : 'p', h.devmajor, h.devminor);
        await this.metadata(target, h, false);
        break;
    }
  }

  private async whiteout(parentParts: readonly string[], parent: string, name: string): Promise<void> {
    if (name === '.wh..wh..opq') {
      this.opaque.add(parentParts.join('/'));
      return;
    }
    // Other `.wh..wh.` names are aufs bookkeeping (e.g. hard-link dirs), meaningless here.
    if (name.startsWith('.wh..wh.')) return;
    const hidden = name.slice('.wh.'.length);
    if (hidden === '' || hidden === '.' || hidden === '..') throw new UnsafeEntryError(name, 'invalid whiteout');
    const target = join(parent, hidden);
    await rm(target, { recursive: true, force: true });
    await this.mknod(target, 'c', 0, 0);
  }

  private async metadata(path: string, h: TarHeader, isDir: boolean): Promise<void> {
    await lchown(path, h.uid, h.gid);
    await chmod(path, h.mode);
    if (isDir) this.dirTimes.push({ path, mtime: h.mtime });
    else await utimes(path, h.mtime, h.mtime);
    this.queueXattrs(path, h);
  }

  private queueXattrs(path: string, h: TarHeader): void {
    for (const [name, value] of Object.entries(h.xattrs)) if (allowedXattr(name)) this.xattrs.push({ path, name, value });
  }

  async finish(): Promise<ExtractResult> {
    for (const x of this.xattrs) await run('setfattr', ['-h', '-n', x.name, '-v', `0s${x.value.toString('base64')}`, x.path]);
    const opaqueDirs = [...this.opaque].sort();
    for (const rel of opaqueDirs) {
      const dir = rel === '' ? this.root : await this.parentDir(rel, rel.split('/'), true);
      await run('setfattr', ['-h', '-n', 'trusted.overlay.opaque', '-v', 'y', dir]);
    }
    // Children change their directory's mtime, so directory times go last, deepest first.
    for (const d of this.dirTimes.reverse()) await utimes(d.path, d.mtime, d.mtime);
    return { opaqueDirs, size: this.size };
  }
}

/** Extracts an uncompressed tar stream into `dest` (an existing, empty directory). */
export async function extractLayerTar(source: AsyncIterable<Buffer>, dest: string): Promise<ExtractResult> {
  const x = new Extractor(dest);
  for await (const { header, body } of readTar(source)) await x.entry(header, body);
  return x.finish();
}
