import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { TarHeader } from './tar-reader.js';

/** A file's bytes read from disk while the archive streams; `size` defaults to the file's size when the entry is written. */
export interface TarFileSource {
  file: string;
  size?: number;
}

interface TarEntryBase {
  /** Path inside the archive, `/`-separated, without a leading slash; a directory may omit the trailing slash. */
  path: string;
  /** Permission bits (default 0644 files, 0755 directories, 0777 symlinks). */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds since the epoch (default 0, so archives are reproducible). */
  mtime?: number;
}

/** One archive member. */
export type TarEntry =
  | (TarEntryBase & { type: 'file'; content: Buffer | TarFileSource })
  | (TarEntryBase & { type: 'dir' })
  | (TarEntryBase & { type: 'symlink'; linkTarget: string });

const BLOCK = 512;
const ZERO_BLOCK = Buffer.alloc(BLOCK);
const MAX_OCTAL_11 = 0o77777777777;
const DEFAULT_MODE = { file: 0o644, dir: 0o755, symlink: 0o777 } as const;

function octal(value: number, width: number): string {
  // width includes the terminating NUL.
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function writeString(block: Buffer, offset: number, length: number, value: string): void {
  block.write(value, offset, Math.min(length, Buffer.byteLength(value)), 'utf8');
}

function fitsAscii(value: string, max: number): boolean {
  return Buffer.byteLength(value) <= max && /^[\x20-\x7e]*$/.test(value);
}

function asciiPrefix(value: string, max: number): string {
  let out = '';
  for (const ch of value) {
    if (out.length + 1 > max) break;
    out += /[\x20-\x7e]/.test(ch) ? ch : '_';
  }
  return out;
}

/** A pax record `"<len> key=value\n"` where `<len>` counts the whole record including itself. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let len = bodyLen + String(bodyLen).length;
  if (String(len).length + bodyLen !== len) len = bodyLen + String(len).length;
  return `${len}${body}`;
}

/** A header block's fields as written: the raw type flag and link name. */
type HeaderFields = Pick<TarHeader, 'mode' | 'uid' | 'gid' | 'size' | 'mtime'> & { name: string; typeflag: string; linkname: string };

function header(f: HeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK);
  writeString(block, 0, 100, f.name);
  writeString(block, 100, 8, octal(f.mode & 0o7777, 8));
  writeString(block, 108, 8, octal(f.uid, 8));
  writeString(block, 116, 8, octal(f.gid, 8));
  writeString(block, 124, 12, octal(Math.min(f.size, MAX_OCTAL_11), 12));
  writeString(block, 136, 12, octal(Math.max(0, Math.min(Math.floor(f.mtime), MAX_OCTAL_11)), 12));
  block.fill(0x20, 148, 156);
  writeString(block, 156, 1, f.typeflag);
  writeString(block, 157, 100, f.linkname);
  writeString(block, 257, 6, 'ustar\0');
  writeString(block, 263, 2, '00');
  writeString(block, 265, 32, f.uid === 0 ? 'root' : '');
  writeString(block, 297, 32, f.gid === 0 ? 'root' : '');
  return withChecksum(block);
}

/** Fills in a header block's checksum field (computed with the field itself as spaces). */
export function withChecksum(block: Buffer): Buffer {
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return block;
}

/** Zero bytes that round `size` up to whole 512-byte blocks. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}

/** Header blocks for an entry of `size` bytes: a pax extended header first when a field does not fit ustar. */
export function entryHeader(entry: TarEntry, size: number): Buffer {
  const name = entry.type === 'dir' && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path;
  const linkname = entry.type === 'symlink' ? entry.linkTarget : '';
  const mtime = entry.mtime ?? 0;
  const pax: string[] = [];
  if (!fitsAscii(name, 100)) pax.push(paxRecord('path', name));
  if (!fitsAscii(linkname, 100)) pax.push(paxRecord('linkpath', linkname));
  if (size > MAX_OCTAL_11) pax.push(paxRecord('size', String(size)));
  const typeflag = entry.type === 'file' ? '0' : entry.type === 'dir' ? '5' : '2';
  const main = header({
    name: fitsAscii(name, 100) ? name : asciiPrefix(name, 100),
    mode: entry.mode ?? DEFAULT_MODE[entry.type], uid: entry.uid ?? 0, gid: entry.gid ?? 0, size, mtime, typeflag,
    linkname: fitsAscii(linkname, 100) ? linkname : asciiPrefix(linkname, 100),
  });
  if (pax.length === 0) return main;
  const data = Buffer.from(pax.join(''), 'utf8');
  const paxName = asciiPrefix(`PaxHeaders/${name.replace(/\/$/, '').split('/').pop() ?? 'entry'}`, 100);
  const paxHeader = header({ name: paxName, mode: 0o644, uid: 0, gid: 0, size: data.length, mtime, typeflag: 'x', linkname: '' });
  return Buffer.concat([paxHeader, data, padding(data.length), main]);
}

async function fileSize(entry: TarEntry): Promise<number> {
  if (entry.type !== 'file') return 0;
  if (Buffer.isBuffer(entry.content)) return entry.content.length;
  return entry.content.size ?? (await stat(entry.content.file)).size;
}

/**
 * The data blocks of a file entry whose header declares `size`: the content (a buffer, or a
 * file read as a stream) cut or zero-filled to exactly `size` — a file that changed since it
 * was listed must not corrupt the archive — then the padding to the block size.
 */
export async function* fileBlocks(content: Buffer | { file: string } | undefined, size: number): AsyncGenerator<Buffer> {
  let written = 0;
  if (Buffer.isBuffer(content)) {
    const take = Math.min(size, content.length);
    if (take > 0) yield take === content.length ? content : content.subarray(0, take);
    written = take;
  } else if (content !== undefined && size > 0) {
    for await (const chunk of createReadStream(content.file)) {
      const buf = chunk as Buffer;
      const take = Math.min(buf.length, size - written);
      if (take > 0) yield take === buf.length ? buf : buf.subarray(0, take);
      written += take;
      if (written >= size) break;
    }
  }
  if (written < size) yield Buffer.alloc(size - written);
  yield padding(size);
}

async function* entryBytes(entry: TarEntry): AsyncGenerator<Buffer> {
  const size = await fileSize(entry);
  yield entryHeader(entry, size);
  if (entry.type !== 'file') return;
  yield* fileBlocks(entry.content, size);
}

async function* archiveBytes(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): AsyncGenerator<Buffer> {
  for await (const entry of entries) yield* entryBytes(entry);
  yield ZERO_BLOCK;
  yield ZERO_BLOCK;
}

/** A POSIX (ustar + pax) archive of the entries, in order, as a stream. */
export function tarStream(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): Readable {
  return Readable.from(archiveBytes(entries), { objectMode: false });
}

/** The whole archive in memory (small archives, tests). */
export async function tarBuffer(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of archiveBytes(entries)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The entries preceded by a directory entry (root owned, 0755) for each parent not listed yet, parents first. */
export function withParentDirs(entries: readonly TarEntry[]): TarEntry[] {
  const seen = new Set(entries.filter((e) => e.type === 'dir').map((e) => e.path.replace(/\/$/, '')));
  const out: TarEntry[] = [];
  for (const entry of entries) {
    const parts = entry.path.replace(/\/$/, '').split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (dir === '' || seen.has(dir)) continue;
      seen.add(dir);
      out.push({ type: 'dir', path: dir, mode: 0o755, uid: 0, gid: 0 });
    }
    out.push(entry);
  }
  return out;
}

async function* walkHost(path: string, name: string, follow: boolean): AsyncGenerator<TarEntry> {
  const st = follow ? await stat(path) : await lstat(path);
  const base = { path: name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
  if (st.isSymbolicLink()) {
    yield { ...base, type: 'symlink', linkTarget: await readlink(path) };
  } else if (st.isDirectory()) {
    yield { ...base, type: 'dir' };
    for (const child of (await readdir(path)).sort()) yield* walkHost(join(path, child), `${name}/${child}`, false);
  } else if (st.isFile()) {
    yield { ...base, type: 'file', content: { file: path, size: st.size } };
  }
}

/**
 * The entries of a host path, sorted: its root entry named `rootName` (or, when undefined, the
 * directory's children at the top, `SRC/.`). `followLink` dereferences `path` itself only (`cp -L`).
 */
export async function* hostPathEntries(path: string, rootName: string | undefined, followLink: boolean): AsyncGenerator<TarEntry> {
  if (rootName !== undefined) {
    yield* walkHost(path, rootName, followLink);
    return;
  }
  for (const child of (await readdir(path)).sort()) yield* walkHost(join(path, child), child, false);
}

/** A tar stream of a host path (see `hostPathEntries`). */
export function tarPath(path: string, rootName: string | undefined, followLink: boolean): Readable {
  return tarStream(hostPathEntries(path, rootName, followLink));
}
