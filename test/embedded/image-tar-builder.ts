/**
 * Builds tar archives byte by byte for image tests, including what normal tools refuse to
 * write: `..` names, absolute names, hard links to anywhere, devices, whiteouts, xattrs.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export interface TestTarEntry {
  path: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'fifo';
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  content?: string | Buffer;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: Record<string, string>;
  /** Force a pax header for the path (to test pax handling with short names). */
  paxPath?: boolean;
  /** Write the name as a GNU long-name record. */
  gnuLongName?: boolean;
}

const FLAGS = { file: '0', hardlink: '1', symlink: '2', char: '3', dir: '5', fifo: '6' } as const;

function oct(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, flag: string, size: number, e: TestTarEntry, gnu = false): Buffer {
  const b = Buffer.alloc(512);
  b.write(name.slice(0, 100), 0, 'utf8');
  b.write(oct(e.mode ?? (flag === '5' ? 0o755 : 0o644), 8), 100);
  b.write(oct(e.uid ?? 0, 8), 108);
  b.write(oct(e.gid ?? 0, 8), 116);
  b.write(oct(size, 12), 124);
  b.write(oct(e.mtime ?? 1_600_000_000, 12), 136);
  b.fill(0x20, 148, 156);
  b.write(flag, 156);
  b.write((e.linkname ?? '').slice(0, 100), 157);
  b.write(gnu ? 'ustar  \0' : 'ustar\x0000', 257, 'latin1');
  b.write(oct(e.devmajor ?? 0, 8), 329);
  b.write(oct(e.devminor ?? 0, 8), 337);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(oct(sum, 7) + ' ', 148);
  return b;
}

function padded(data: Buffer): Buffer[] {
  const pad = (512 - (data.length % 512)) % 512;
  return [data, Buffer.alloc(pad)];
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

export function buildTar(entries: readonly TestTarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? 'file';
    const content = type === 'file' ? Buffer.from(e.content ?? '') : Buffer.alloc(0);
    const pax: string[] = [];
    for (const [k, v] of Object.entries(e.xattrs ?? {})) pax.push(paxRecord(`SCHILY.xattr.${k}`, v));
    if (e.paxPath === true || Buffer.byteLength(e.path) > 100 || pax.length > 0) pax.push(paxRecord('path', e.path));
    if (e.gnuLongName === true) {
      const data = Buffer.from(`${e.path}\0`);
      parts.push(header('././@LongLink', 'L', data.length, { path: '' }, true), ...padded(data));
    } else if (pax.length > 0) {
      const data = Buffer.from(pax.join(''));
      parts.push(header('PaxHeader', 'x', data.length, { path: '' }), ...padded(data));
    }
    const name = pax.length > 0 || e.gnuLongName === true ? 'placeholder-name' : e.path;
    parts.push(header(name, FLAGS[type], content.length, e, e.gnuLongName === true), ...padded(content));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function gzip(data: Buffer): Buffer {
  return gzipSync(data);
}
