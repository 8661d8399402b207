/**
 * The tar writer for built layers: every member type a layer may hold (files, hard links,
 * symlinks, devices, fifos, directories), pax records for long names, big sizes and xattrs.
 * model/tar.ts covers only files, dirs and symlinks, so layers get their own header code.
 */
import { fileBlocks, padding, paxRecord, withChecksum } from '../../../model/tar.js';
import type { TarEntryType } from '../../../model/tar-reader.js';

export interface LayerEntry {
  /** Path inside the layer, `/`-separated, no leading slash. */
  path: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** Regular files: bytes of content (the file is read when the entry is written). */
  size?: number;
  source?: { file: string } | { data: Buffer };
  linkTarget?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: Record<string, Buffer>;
}

const BLOCK = 512;
const MAX_OCTAL_7 = 0o7777777;
const MAX_OCTAL_11 = 0o77777777777;
const TYPEFLAG: Record<TarEntryType, string> = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };

function fits(value: string, max: number): boolean {
  return Buffer.byteLength(value) <= max && /^[\x20-\x7e]*$/.test(value);
}

function put(block: Buffer, offset: number, length: number, value: string): void {
  block.write(value, offset, Math.min(length, Buffer.byteLength(value)), 'utf8');
}

function octal(value: number, width: number): string {
  return Math.max(0, Math.floor(value)).toString(8).padStart(width - 1, '0') + '\0';
}

function rawHeader(name: string, e: { mode: number; uid: number; gid: number; mtime: number; devmajor?: number; devminor?: number }, size: number, typeflag: string, linkname: string): Buffer {
  const b = Buffer.alloc(BLOCK);
  put(b, 0, 100, name);
  put(b, 100, 8, octal(e.mode & 0o7777, 8));
  put(b, 108, 8, octal(Math.min(e.uid, MAX_OCTAL_7), 8));
  put(b, 116, 8, octal(Math.min(e.gid, MAX_OCTAL_7), 8));
  put(b, 124, 12, octal(Math.min(size, MAX_OCTAL_11), 12));
  put(b, 136, 12, octal(Math.min(e.mtime, MAX_OCTAL_11), 12));
  b.fill(0x20, 148, 156);
  put(b, 156, 1, typeflag);
  put(b, 157, 100, linkname);
  put(b, 257, 6, 'ustar\0');
  put(b, 263, 2, '00');
  put(b, 329, 8, octal(e.devmajor ?? 0, 8));
  put(b, 337, 8, octal(e.devminor ?? 0, 8));
  return withChecksum(b);
}

export function layerEntryHeader(e: LayerEntry): Buffer {
  const size = e.type === 'file' ? e.size ?? 0 : 0;
  const name = e.type === 'dir' && !e.path.endsWith('/') ? `${e.path}/` : e.path;
  const link = e.linkTarget ?? '';
  const pax: string[] = [];
  if (!fits(name, 100)) pax.push(paxRecord('path', name));
  if (!fits(link, 100)) pax.push(paxRecord('linkpath', link));
  if (size > MAX_OCTAL_11) pax.push(paxRecord('size', String(size)));
  if (e.uid > MAX_OCTAL_7) pax.push(paxRecord('uid', String(e.uid)));
  if (e.gid > MAX_OCTAL_7) pax.push(paxRecord('gid', String(e.gid)));
  const paxBuffers = pax.map((r) => Buffer.from(r, 'utf8'));
  for (const [k, v] of Object.entries(e.xattrs ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    // Binary xattr values (security.capability) go in as raw bytes; the record length counts bytes.
    const prefix = ` SCHILY.xattr.${k}=`;
    const bodyLen = Buffer.byteLength(prefix) + v.length + 1;
    let len = bodyLen + String(bodyLen).length;
    if (String(len).length + bodyLen !== len) len = bodyLen + String(len).length;
    paxBuffers.push(Buffer.concat([Buffer.from(`${len}${prefix}`, 'utf8'), v, Buffer.from('\n')]));
  }
  const main = rawHeader(fits(name, 100) ? name : name.slice(0, 100).replace(/[^\x20-\x7e]/g, '_'), e, size, TYPEFLAG[e.type], fits(link, 100) ? link : '');
  if (paxBuffers.length === 0) return main;
  const data = Buffer.concat(paxBuffers);
  const paxHeader = rawHeader('PaxHeaders/entry', { mode: 0o644, uid: 0, gid: 0, mtime: e.mtime }, data.length, 'x', '');
  return Buffer.concat([paxHeader, data, padding(data.length), main]);
}

function body(e: LayerEntry): AsyncGenerator<Buffer> {
  const content = e.source === undefined ? undefined : 'data' in e.source ? e.source.data : { file: e.source.file };
  return fileBlocks(content, e.size ?? 0);
}

/** The archive bytes of `entries`, in order. */
export async function* layerTar(entries: Iterable<LayerEntry> | AsyncIterable<LayerEntry>): AsyncGenerator<Buffer> {
  for await (const e of entries) {
    yield layerEntryHeader(e);
    if (e.type === 'file') yield* body(e);
  }
  yield Buffer.alloc(BLOCK * 2);
}
