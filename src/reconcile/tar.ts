import { Readable } from 'node:stream';

export interface TarFile {
  /** Path inside the archive, without a leading slash. */
  path: string;
  content: Buffer;
  mode: number;
  uid: number;
  gid: number;
}

function header(path: string, size: number, mode: number, uid: number, gid: number, type: '0' | '5'): Buffer {
  const h = Buffer.alloc(512, 0);
  const octal = (n: number, width: number): string => n.toString(8).padStart(width - 1, '0') + '\0';
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = path.lastIndexOf('/', 155);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode & 0o7777, 8), 100);
  h.write(octal(uid, 8), 108);
  h.write(octal(gid, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(0, 12), 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write('ustar\u000000', 257, 'binary');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148);
  return h;
}

/** A ustar archive of `files`, with directory entries for their parents (root owned, 0755). */
export function tarStream(files: readonly TarFile[]): Readable {
  const chunks: Buffer[] = [];
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (dir === '' || dirs.has(dir)) continue;
      dirs.add(dir);
      chunks.push(header(`${dir}/`, 0, 0o755, 0, 0, '5'));
    }
    chunks.push(header(f.path, f.content.length, f.mode, f.uid, f.gid, '0'), f.content);
    const pad = (512 - (f.content.length % 512)) % 512;
    if (pad > 0) chunks.push(Buffer.alloc(pad, 0));
  }
  chunks.push(Buffer.alloc(1024, 0));
  return Readable.from([Buffer.concat(chunks)]);
}
