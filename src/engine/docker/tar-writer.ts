import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';

/** One archive member. Paths use `/`; directories may omit the trailing slash. */
export type TarEntry =
  | { type: 'file'; path: string; mode: number; mtime: number; size: number; content: Buffer | { file: string }; uid?: number; gid?: number }
  | { type: 'directory'; path: string; mode: number; mtime: number; uid?: number; gid?: number }
  | { type: 'symlink'; path: string; linkname: string; mode: number; mtime: number; uid?: number; gid?: number };

const BLOCK = 512;
const ZERO_BLOCK = Buffer.alloc(BLOCK);
const MAX_OCTAL_11 = 0o77777777777;

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

/** A pax record `"<len> key=value\n"` where `<len>` counts the whole record including itself. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let len = bodyLen + String(bodyLen).length;
  if (String(len).length + bodyLen !== len) len = bodyLen + String(len).length;
  return `${len}${body}`;
}

interface HeaderFields {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
}

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
  let sum = 0;
  for (const byte of block) sum += byte;
  writeString(block, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return block;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}

/** Header blocks for an entry: a pax extended header first when a field does not fit ustar. */
export function entryHeader(entry: TarEntry): Buffer {
  const name = entry.type === 'directory' && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path;
  const linkname = entry.type === 'symlink' ? entry.linkname : '';
  const size = entry.type === 'file' ? entry.size : 0;
  const pax: string[] = [];
  if (!fitsAscii(name, 100)) pax.push(paxRecord('path', name));
  if (!fitsAscii(linkname, 100)) pax.push(paxRecord('linkpath', linkname));
  if (size > MAX_OCTAL_11) pax.push(paxRecord('size', String(size)));
  const typeflag = entry.type === 'file' ? '0' : entry.type === 'directory' ? '5' : '2';
  const fields: HeaderFields = {
    name: fitsAscii(name, 100) ? name : asciiPrefix(name, 100),
    mode: entry.mode, uid: entry.uid ?? 0, gid: entry.gid ?? 0, size, mtime: entry.mtime, typeflag,
    linkname: fitsAscii(linkname, 100) ? linkname : asciiPrefix(linkname, 100),
  };
  const main = header(fields);
  if (pax.length === 0) return main;
  const data = Buffer.from(pax.join(''), 'utf8');
  const paxName = asciiPrefix(`PaxHeaders/${name.replace(/\/$/, '').split('/').pop() ?? 'entry'}`, 100);
  const paxHeader = header({ name: paxName, mode: 0o644, uid: 0, gid: 0, size: data.length, mtime: entry.mtime, typeflag: 'x', linkname: '' });
  return Buffer.concat([paxHeader, data, padding(data.length), main]);
}

function asciiPrefix(value: string, max: number): string {
  let out = '';
  for (const ch of value) {
    const safe = /[\x20-\x7e]/.test(ch) ? ch : '_';
    if (out.length + 1 > max) break;
    out += safe;
  }
  return out;
}

async function* entryBytes(entry: TarEntry): AsyncGenerator<Buffer> {
  yield entryHeader(entry);
  if (entry.type !== 'file') return;
  let written = 0;
  if (Buffer.isBuffer(entry.content)) {
    yield entry.content;
    written = entry.content.length;
  } else {
    for await (const chunk of createReadStream(entry.content.file)) {
      const buf = chunk as Buffer;
      // A file that grew after stat must not corrupt the archive.
      const take = Math.min(buf.length, entry.size - written);
      if (take > 0) yield take === buf.length ? buf : buf.subarray(0, take);
      written += take;
      if (written >= entry.size) break;
    }
  }
  if (written < entry.size) yield Buffer.alloc(entry.size - written);
  yield padding(entry.size);
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
