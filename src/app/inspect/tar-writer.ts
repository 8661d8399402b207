import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';

interface Entry {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  type: '0' | '2' | '5';
  linkname: string;
}

function field(buf: Buffer, offset: number, len: number, value: string): void {
  buf.write(value.slice(0, len), offset, len, 'utf8');
}

function octalField(buf: Buffer, offset: number, len: number, value: number): void {
  field(buf, offset, len, `${Math.floor(value).toString(8).padStart(len - 1, '0')}\0`);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

function headerBlock(e: { name: string; mode: number; uid: number; gid: number; size: number; mtime: number; type: string; linkname: string }): Buffer {
  const b = Buffer.alloc(512);
  field(b, 0, 100, e.name);
  octalField(b, 100, 8, e.mode & 0o7777);
  octalField(b, 108, 8, e.uid);
  octalField(b, 116, 8, e.gid);
  octalField(b, 124, 12, e.size);
  octalField(b, 136, 12, e.mtime);
  b.write(e.type, 156, 1, 'ascii');
  field(b, 157, 100, e.linkname);
  b.write('ustar\0', 257, 6, 'ascii');
  b.write('00', 263, 2, 'ascii');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  field(b, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return b;
}

/** Header blocks of an entry, with a PAX header first when a name or link does not fit. */
function headers(e: Entry): Buffer[] {
  const records: string[] = [];
  if (Buffer.byteLength(e.name) > 100) records.push(paxRecord('path', e.name));
  if (Buffer.byteLength(e.linkname) > 100) records.push(paxRecord('linkpath', e.linkname));
  const out: Buffer[] = [];
  if (records.length > 0) {
    const data = Buffer.from(records.join(''));
    out.push(headerBlock({ name: 'PaxHeader', mode: 0o644, uid: 0, gid: 0, size: data.length, mtime: e.mtime, type: 'x', linkname: '' }));
    out.push(Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]));
  }
  out.push(headerBlock(e));
  return out;
}

async function* walk(path: string, name: string, follow: boolean): AsyncGenerator<{ entry: Entry; path: string }> {
  const st = follow ? await stat(path) : await lstat(path);
  const base = { name, mode: st.mode, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000), size: 0, linkname: '' };
  if (st.isSymbolicLink()) {
    yield { entry: { ...base, type: '2', linkname: await readlink(path) }, path };
  } else if (st.isDirectory()) {
    yield { entry: { ...base, name: `${name}/`, type: '5' }, path };
    for (const child of (await readdir(path)).sort()) yield* walk(join(path, child), `${name}/${child}`, false);
  } else if (st.isFile()) {
    yield { entry: { ...base, type: '0', size: st.size }, path };
  }
}

async function* tarChunks(path: string, rootName: string | undefined, followLink: boolean): AsyncGenerator<Buffer> {
  if (rootName === undefined) {
    // The directory's contents at the top level (`SRC/.`).
    for (const child of (await readdir(path)).sort()) yield* entries(walk(join(path, child), child, false));
  } else {
    yield* entries(walk(path, rootName, followLink));
  }
  yield Buffer.alloc(1024);
}

async function* entries(items: AsyncGenerator<{ entry: Entry; path: string }>): AsyncGenerator<Buffer> {
  for await (const { entry, path } of items) {
    yield* headers(entry);
    if (entry.type !== '0') continue;
    let written = 0;
    for await (const chunk of createReadStream(path)) {
      const buf = chunk as Buffer;
      // A file that grew while being read is cut at the size in its header.
      const part = buf.subarray(0, Math.max(0, entry.size - written));
      written += part.length;
      yield part;
    }
    if (written < entry.size) yield Buffer.alloc(entry.size - written);
    yield Buffer.alloc((512 - (entry.size % 512)) % 512);
  }
}

/**
 * A tar stream of a host path: its root entry named `rootName` (or, when undefined, the
 * directory's children at the top). `followLink` dereferences `path` itself only (`cp -L`).
 */
export function tarPath(path: string, rootName: string | undefined, followLink: boolean): Readable {
  return Readable.from(tarChunks(path, rootName, followLink));
}
