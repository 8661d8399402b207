/**
 * The one streaming tar reader (image layers, image archives, `cp` archives): ustar, GNU (long
 * names and link names, base-256 numbers) and pax (per-entry and global headers, binary
 * xattrs), with header checksums checked. Entries are yielded one by one; a body the consumer
 * leaves unread is skipped.
 */
import { ByteSource } from './tar-byte-source.js';

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';

export interface TarHeader {
  /** As stored (after pax/GNU overrides), without normalisation. */
  path: string;
  type: TarEntryType;
  /** Permission bits with setuid, setgid and sticky (`& 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch (may be fractional with pax). */
  mtime: number;
  linkTarget: string;
  devmajor: number;
  devminor: number;
  /** `SCHILY.xattr.*` pax records, name → raw value. */
  xattrs: Record<string, Buffer>;
}

/** One archive member as read (the writer's input type is `TarEntry` in tar.ts). */
export interface TarMember {
  header: TarHeader;
  /** The entry's content; read it before asking for the next entry, or it is skipped. */
  body: AsyncIterable<Buffer>;
}

export interface ReadTarOptions {
  /** Entry types outside `TarEntryType` (sparse, multi-volume, …): an error (default), or passed over. */
  unknownTypes?: 'reject' | 'skip';
}

const BLOCK = 512;

function cstring(block: Buffer, offset: number, length: number): string {
  const slice = block.subarray(offset, offset + length);
  const nul = slice.indexOf(0);
  return slice.subarray(0, nul < 0 ? slice.length : nul).toString('utf8');
}

function numeric(block: Buffer, offset: number, length: number): number {
  const first = block[offset]!;
  if ((first & 0x80) !== 0) {
    // GNU base-256: big-endian two's complement with the high bit as a marker.
    let value = BigInt(first & 0x7f);
    for (let i = 1; i < length; i++) value = (value << 8n) | BigInt(block[offset + i]!);
    return Number(value);
  }
  const text = cstring(block, offset, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === numeric(block, 148, 8);
}

/** Parses `"<len> key=value\n"` records; values stay raw bytes (xattrs may be binary). */
function parsePax(data: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = parseInt(data.subarray(pos, space).toString('ascii'), 10);
    if (!Number.isFinite(len) || len <= 0) throw new Error('malformed pax header');
    const record = data.subarray(space + 1, pos + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq > 0) out.set(record.subarray(0, eq).toString('utf8'), record.subarray(eq + 1));
    pos += len;
  }
  return out;
}

function entryType(flag: string): TarEntryType | undefined {
  switch (flag) {
    case '0':
    case '\0':
    case '':
    case '7':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '3':
      return 'char';
    case '4':
      return 'block';
    case '5':
      return 'dir';
    case '6':
      return 'fifo';
    default:
      return undefined;
  }
}

function applyPax(h: TarHeader, pax: Map<string, Buffer>): void {
  for (const [key, raw] of pax) {
    const value = raw.toString('utf8');
    if (key === 'path') h.path = value;
    else if (key === 'linkpath') h.linkTarget = value;
    else if (key === 'size') h.size = parseInt(value, 10);
    else if (key === 'uid') h.uid = parseInt(value, 10);
    else if (key === 'gid') h.gid = parseInt(value, 10);
    else if (key === 'mtime') h.mtime = parseFloat(value);
    else if (key.startsWith('SCHILY.xattr.')) h.xattrs[key.slice('SCHILY.xattr.'.length)] = raw;
  }
}

/** Reads all of an entry body; for pax and GNU long-name records. */
async function readAll(src: ByteSource, size: number): Promise<Buffer> {
  const data = size > 0 ? await src.read(size) : Buffer.alloc(0);
  if (data === undefined) throw new Error('truncated tar archive');
  const pad = (BLOCK - (size % BLOCK)) % BLOCK;
  if (pad > 0) await src.read(pad);
  return Buffer.from(data);
}

function parseHeader(block: Buffer, size: number): TarHeader {
  // GNU headers keep atime/ctime where ustar has its prefix.
  const magic = block.subarray(257, 263).toString('latin1');
  const prefix = magic === 'ustar\0' ? cstring(block, 345, 155) : '';
  const name = cstring(block, 0, 100);
  return {
    path: prefix !== '' ? `${prefix}/${name}` : name,
    type: entryType(String.fromCharCode(block[156]!)) ?? 'file',
    mode: numeric(block, 100, 8) & 0o7777,
    uid: numeric(block, 108, 8),
    gid: numeric(block, 116, 8),
    size,
    mtime: numeric(block, 136, 12),
    linkTarget: cstring(block, 157, 100),
    devmajor: numeric(block, 329, 8),
    devminor: numeric(block, 337, 8),
    xattrs: {},
  };
}

/**
 * The entries of an uncompressed tar stream. At the end-of-archive marker the rest of the
 * source is consumed (so hashes of it are complete); stopping early closes the source instead.
 */
export async function* readTar(source: AsyncIterable<Buffer | string>, options: ReadTarOptions = {}): AsyncGenerator<TarMember> {
  const src = new ByteSource(source);
  const globalPax = new Map<string, Buffer>();
  let pax: Map<string, Buffer> | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  try {
    for (;;) {
      const block = await src.read(BLOCK);
      if (block === undefined || block.every((b) => b === 0)) break;
      if (!checksumOk(block)) throw new Error('invalid tar header checksum');
      const flag = String.fromCharCode(block[156]!);
      const size = numeric(block, 124, 12);
      if (flag === 'x' || flag === 'g') {
        const records = parsePax(await readAll(src, size));
        if (flag === 'g') for (const [k, v] of records) globalPax.set(k, v);
        else pax = records;
        continue;
      }
      if (flag === 'L' || flag === 'K') {
        const text = cstring(await readAll(src, size), 0, size);
        if (flag === 'L') longName = text;
        else longLink = text;
        continue;
      }
      const header = parseHeader(block, size);
      applyPax(header, globalPax);
      if (pax !== undefined) applyPax(header, pax);
      if (longName !== undefined) header.path = longName;
      if (longLink !== undefined) header.linkTarget = longLink;
      pax = undefined;
      longName = undefined;
      longLink = undefined;
      const known = entryType(flag) !== undefined;
      if (!known && options.unknownTypes !== 'skip') throw new Error(`unsupported tar entry type '${flag}' for ${header.path}`);

      let remaining = header.size;
      let started = false;
      const body: AsyncIterable<Buffer> = {
        async *[Symbol.asyncIterator]() {
          if (started) throw new Error('tar entry body read twice');
          started = true;
          while (remaining > 0) {
            const c = await src.chunk(Math.min(remaining, 1 << 20));
            remaining -= c.length;
            yield c;
          }
        },
      };
      if (known) yield { header, body };
      while (remaining > 0) remaining -= (await src.chunk(Math.min(remaining, 1 << 20))).length;
      const pad = (BLOCK - (header.size % BLOCK)) % BLOCK;
      if (pad > 0 && (await src.read(pad)) === undefined) throw new Error('truncated tar archive');
    }
    await src.drain();
  } finally {
    await src.close();
  }
}
