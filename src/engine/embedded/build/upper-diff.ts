/**
 * An overlay upperdir after a RUN step → the layer's entries in OCI form: a 0:0 character
 * device (overlay's whiteout) becomes `.wh.<name>`, a directory with `trusted.overlay.opaque=y`
 * gets `.wh..wh..opq`. Node cannot read xattrs, so one `getfattr -R` call lists them all.
 */
import { execFile } from 'node:child_process';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../../engine-error.js';
import type { LayerEntry } from './layer-tar.js';

/** Xattrs carried into layers; overlay's own (`trusted.overlay.*`) never are. */
const KEPT_XATTR = /^(security\.capability|user\..*)$/;

export function devMajor(rdev: number): number {
  return Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
}

export function devMinor(rdev: number): number {
  return Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));
}

/** getfattr escapes unusual bytes in names as `\ooo`. */
function unescapeName(text: string): string {
  const latin = text.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return Buffer.from(latin, 'latin1').toString('utf8');
}

/** Absolute path → xattr name → value, for the xattrs that matter to a layer. */
export async function readXattrs(root: string): Promise<Map<string, Map<string, Buffer>>> {
  const text = await new Promise<string>((resolve, reject) => {
    execFile('getfattr', ['-R', '-h', '-d', '--absolute-names', '-e', 'base64', '-m', '^(trusted\\.overlay\\.opaque|security\\.capability|user\\..*)$', root],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err !== null && (err as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new EngineError('unavailable', 'build image', 'getfattr', 'getfattr not found: install the Debian package attr (apt-get install attr)'));
        } else if (err !== null && stdout === '') reject(new Error(`getfattr ${root}: ${stderr.trim() || err.message}`));
        else resolve(stdout);
      });
  });
  const out = new Map<string, Map<string, Buffer>>();
  let current: Map<string, Buffer> | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# file: ')) {
      current = new Map();
      out.set(unescapeName(line.slice('# file: '.length)), current);
      continue;
    }
    const m = /^([^=]+)=0s(.*)$/.exec(line);
    if (m !== null && current !== undefined) current.set(m[1]!, Buffer.from(m[2]!, 'base64'));
    else if (/^[^=]+=""?$/.test(line) && current !== undefined) current.set(line.split('=')[0]!, Buffer.alloc(0));
  }
  return out;
}

function kept(x: Map<string, Buffer> | undefined): Record<string, Buffer> | undefined {
  if (x === undefined) return undefined;
  const entries = [...x].filter(([k]) => KEPT_XATTR.test(k));
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

/** The upperdir's entries, sorted, parents before children. */
export async function upperDiffEntries(upper: string): Promise<LayerEntry[]> {
  const xattrs = await readXattrs(upper);
  const out: LayerEntry[] = [];
  const inodes = new Map<string, string>();
  const walk = async (abs: string, rel: string): Promise<void> => {
    for (const name of (await readdir(abs)).sort()) {
      const path = join(abs, name);
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const st = await lstat(path);
      const base = { path: relPath, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
      const x = kept(xattrs.get(path));
      const withX = x !== undefined ? { xattrs: x } : {};
      if (st.isCharacterDevice() && st.rdev === 0) {
        out.push({ ...base, path: rel === '' ? `.wh.${name}` : `${rel}/.wh.${name}`, type: 'file', mode: 0, size: 0 });
      } else if (st.isDirectory()) {
        out.push({ ...base, type: 'dir', ...withX });
        if (xattrs.get(path)?.get('trusted.overlay.opaque')?.toString() === 'y') {
          out.push({ path: `${relPath}/.wh..wh..opq`, type: 'file', mode: 0, uid: 0, gid: 0, mtime: base.mtime, size: 0 });
        }
        await walk(path, relPath);
      } else if (st.isSymbolicLink()) {
        out.push({ ...base, type: 'symlink', linkTarget: await readlink(path) });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? inodes.get(key) : undefined;
        if (first !== undefined) out.push({ ...base, type: 'hardlink', linkTarget: first });
        else {
          if (st.nlink > 1) inodes.set(key, relPath);
          out.push({ ...base, type: 'file', size: st.size, source: { file: path }, ...withX });
        }
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        out.push({ ...base, type: st.isCharacterDevice() ? 'char' : 'block', devmajor: devMajor(st.rdev), devminor: devMinor(st.rdev) });
      } else if (st.isFIFO()) {
        out.push({ ...base, type: 'fifo' });
      }
      // Sockets have no tar form; Docker drops them too.
    }
  };
  await walk(upper, '');
  return out;
}
