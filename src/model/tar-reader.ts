import { chmod, chown, link, lstat, mkdir, open, symlink, unlink, utimes } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';

export interface TarHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  linkTarget: string;
}

/** Reads exactly the bytes asked for from a chunked stream. */
class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private readonly it: AsyncIterator<Buffer | string>;
  constructor(stream: AsyncIterable<Buffer | string>) {
    this.it = stream[Symbol.asyncIterator]();
  }
  /** Up to `max` bytes (at least one) or undefined at the end. */
  async some(max: number): Promise<Buffer | undefined> {
    if (this.buf.length === 0) {
      const next = await this.it.next();
      if (next.done === true) return undefined;
      this.buf = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    }
    const out = this.buf.subarray(0, max);
    this.buf = this.buf.subarray(out.length);
    return out;
  }
  async exactly(n: number): Promise<Buffer | undefined> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const chunk = await this.some(n - got);
      if (chunk === undefined) return got === 0 ? undefined : Buffer.concat(parts);
      parts.push(chunk);
      got += chunk.length;
    }
    return Buffer.concat(parts);
  }
  /** Stops reading: a stream's iterator destroys it (releasing the connection behind it). */
  async close(): Promise<void> {
    await this.it.return?.();
  }
  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      const chunk = await this.some(left);
      if (chunk === undefined) return;
      left -= chunk.length;
    }
  }
}

function text(b: Buffer, start: number, len: number): string {
  const field = b.subarray(start, start + len);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? field.length : nul).toString('utf8');
}

function octal(b: Buffer, start: number, len: number): number {
  const first = b[start] ?? 0;
  if ((first & 0x80) !== 0) {
    // base-256 (GNU) for values that do not fit the octal field
    let v = first & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + (b[start + i] ?? 0);
    return v;
  }
  const s = text(b, start, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = parseInt(data.subarray(pos, space).toString('ascii'), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

const TYPES: Record<string, TarHeader['type']> = { '0': 'file', '\0': 'file', '': 'file', '7': 'file', '5': 'dir', '2': 'symlink', '1': 'hardlink' };

/**
 * Walks a tar stream (ustar, with PAX and GNU long names); `onEntry` must consume the body
 * through `read` (chunks) or leave it, and it is skipped.
 */
export async function readTar(
  stream: AsyncIterable<Buffer | string>,
  onEntry: (header: TarHeader, body: () => AsyncGenerator<Buffer>) => Promise<void>,
): Promise<void> {
  const r = new ByteReader(stream);
  try {
    await readEntries(r, onEntry);
  } finally {
    await r.close();
  }
}

async function readEntries(r: ByteReader, onEntry: (header: TarHeader, body: () => AsyncGenerator<Buffer>) => Promise<void>): Promise<void> {
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const block = await r.exactly(512);
    if (block === undefined || block.length < 512 || block.every((b) => b === 0)) return;
    const size = octal(block, 124, 12);
    const padded = Math.ceil(size / 512) * 512;
    const flag = String.fromCharCode(block[156] ?? 0);
    if (flag === 'x' || flag === 'L' || flag === 'K' || flag === 'g') {
      const data = (await r.exactly(padded))?.subarray(0, size) ?? Buffer.alloc(0);
      if (flag === 'x') pax = { ...pax, ...paxRecords(data) };
      if (flag === 'L') longName = text(data, 0, data.length);
      if (flag === 'K') longLink = text(data, 0, data.length);
      continue;
    }
    const prefix = text(block, 345, 155);
    const baseName = text(block, 0, 100);
    const header: TarHeader = {
      name: pax.path ?? longName ?? (prefix === '' ? baseName : `${prefix}/${baseName}`),
      mode: octal(block, 100, 8),
      uid: octal(block, 108, 8),
      gid: octal(block, 116, 8),
      size: pax.size === undefined ? size : Number(pax.size),
      mtime: pax.mtime === undefined ? octal(block, 136, 12) : Number(pax.mtime),
      type: TYPES[flag] ?? 'other',
      linkTarget: pax.linkpath ?? longLink ?? text(block, 157, 100),
    };
    pax = {};
    longName = undefined;
    longLink = undefined;
    let consumed = 0;
    const body = async function* (): AsyncGenerator<Buffer> {
      while (consumed < header.size) {
        const chunk = await r.some(Math.min(65536, header.size - consumed));
        if (chunk === undefined) throw new Error('tar stream ended in the middle of a file');
        consumed += chunk.length;
        yield chunk;
      }
    };
    await onEntry(header, body);
    await r.skip(Math.ceil(header.size / 512) * 512 - consumed);
  }
}

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
  await readTar(stream as AsyncIterable<Buffer>, async (h, body) => {
    const parts = safeParts(h.name);
    if (parts === undefined) throw new Error(`refusing to extract ${h.name}: outside the destination`);
    if (opts.renameRoot !== undefined) {
      if (parts.length === 0) parts.push(opts.renameRoot);
      else parts[0] = opts.renameRoot;
    }
    if (parts.length === 0) return;
    const target = join(root, ...parts);
    const rel = relative(root, target);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`refusing to extract ${h.name}: outside the destination`);
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
          for await (const chunk of body()) await fh.write(chunk);
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
        if (linkParts === undefined) throw new Error(`refusing hard link ${h.name} → ${h.linkTarget}: outside the destination`);
        if (opts.renameRoot !== undefined && linkParts.length > 0) linkParts[0] = opts.renameRoot;
        if (existing !== undefined) await unlink(target);
        await link(join(root, ...linkParts), target);
        break;
      }
      case 'other':
        return;
    }
    if (opts.keepOwner && h.type !== 'symlink') await chown(target, h.uid, h.gid).catch(() => undefined);
  });
  // Directory modes last, so a read-only directory does not stop its own contents.
  for (const d of dirModes.reverse()) {
    await chmod(d.path, d.mode);
    await utimes(d.path, d.mtime, d.mtime);
  }
}
