/** Test helpers for the runtime layer: a busybox rootfs and bundle directories. Reusable by other areas. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];

export function busyboxPath(): string {
  const found = BUSYBOX_CANDIDATES.find((p) => existsSync(p));
  if (found === undefined) throw new Error('busybox not found: install the Debian package busybox-static');
  return found;
}

/**
 * Fills `dir` with a minimal rootfs: static busybox at /bin/busybox plus a symlink per applet,
 * /etc/passwd and /etc/group with root and nobody (65534), and empty /tmp, /root, /proc, /sys, /dev.
 */
export async function makeBusyboxRootfs(dir: string): Promise<void> {
  const busybox = busyboxPath();
  await mkdir(join(dir, 'bin'), { recursive: true });
  await copyFile(busybox, join(dir, 'bin/busybox'));
  const applets = execFileSync(busybox, ['--list-full'], { encoding: 'utf8' }).split('\n').map((l) => l.trim()).filter((l) => l !== '');
  for (const applet of applets) {
    if (applet.endsWith('/busybox')) continue;
    const target = join(dir, applet);
    await mkdir(dirname(target), { recursive: true });
    if (!existsSync(target)) await symlink('/bin/busybox', target);
  }
  await mkdir(join(dir, 'etc'), { recursive: true });
  await writeFile(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await writeFile(join(dir, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  for (const d of ['tmp', 'root', 'proc', 'sys', 'dev']) await mkdir(join(dir, d), { recursive: true });
}

/** A random runtime container id (64 hex, like the engine's). */
export function randomContainerId(): string {
  let s = '';
  for (let i = 0; i < 64; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}
