/**
 * Layer extraction on the real file system (as root): escapes refused, metadata kept,
 * whiteouts and opaque dirs in overlay-native form, checked through a real overlay mount.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { layerDiffDir, readLayerMeta, unpackLayer } from '../../src/engine/embedded/image/layer-unpack.js';
import { extractLayerTar, UnsafeEntryError } from '../../src/engine/embedded/image/tar-extract.js';
import { buildTar, gzip, sha256 } from './image-tar-builder.js';
import type { TestTarEntry } from './image-tar-builder.js';

let base = '';
let n = 0;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'berth-extract-'));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

async function extract(entries: TestTarEntry[]): Promise<string> {
  n += 1;
  const dest = join(base, `case${n}`, 'root');
  await mkdir(dest, { recursive: true });
  await extractLayerTar(Readable.from([buildTar(entries)]), dest);
  return dest;
}

async function extractFails(entries: TestTarEntry[]): Promise<{ dest: string; error: Error }> {
  n += 1;
  const dest = join(base, `case${n}`, 'root');
  await mkdir(dest, { recursive: true });
  try {
    await extractLayerTar(Readable.from([buildTar(entries)]), dest);
  } catch (err) {
    return { dest, error: err as Error };
  }
  throw new Error('extraction should have failed');
}

function getfattr(path: string, name: string): string {
  return execFileSync('getfattr', ['--only-values', '-h', '-n', name, path], { encoding: 'utf8' });
}

describe('layer extraction safety', () => {
  it('refuses names that climb out with ..', async () => {
    const { dest, error } = await extractFails([{ path: 'ok' }, { path: 'a/../../evil', content: 'x' }]);
    assert.ok(error instanceof UnsafeEntryError);
    assert.equal(error.message, 'refusing layer entry "a/../../evil": path escapes the layer root');
    assert.equal(existsSync(join(dest, '..', 'evil')), false);
    assert.deepEqual(await readdir(join(dest, '..')), ['root']);
  });

  it('keeps absolute names inside the layer root', async () => {
    const victim = join(base, 'abs-victim');
    const dest = await extract([{ path: `/${victim.slice(1)}`, content: 'inside' }]);
    assert.equal(existsSync(victim), false);
    assert.equal(await readFile(join(dest, victim), 'utf8'), 'inside');
  });

  it('never writes through a symlink planted earlier in the layer', async () => {
    const victim = join(base, 'victim-dir');
    await mkdir(victim);
    const { error } = await extractFails([
      { path: 'escape', type: 'symlink', linkname: victim },
      { path: 'escape/pwned', content: 'owned' },
    ]);
    assert.equal(error.message, 'refusing layer entry "escape/pwned": parent escape is a symlink');
    assert.deepEqual(await readdir(victim), []);
  });

  it('replaces a symlink by a file instead of writing to its target', async () => {
    const victimFile = join(base, 'victim-file');
    await writeFile(victimFile, 'original');
    const dest = await extract([
      { path: 'link', type: 'symlink', linkname: victimFile },
      { path: 'link', content: 'replaced' },
    ]);
    assert.equal(await readFile(victimFile, 'utf8'), 'original');
    assert.equal((await lstat(join(dest, 'link'))).isFile(), true);
    assert.equal(await readFile(join(dest, 'link'), 'utf8'), 'replaced');
  });

  it('refuses hard links that point outside, directly or through a symlink', async () => {
    const secretDir = join(base, 'secret-dir');
    await mkdir(secretDir);
    await writeFile(join(secretDir, 'secret'), 's3cret');
    const direct = await extractFails([{ path: 'hl', type: 'hardlink', linkname: '../../../../../etc/passwd' }]);
    assert.equal(direct.error.message, 'refusing layer entry "hl": hard link target ../../../../../etc/passwd escapes the layer root');
    const viaLink = await extractFails([
      { path: 'esc', type: 'symlink', linkname: secretDir },
      { path: 'hl', type: 'hardlink', linkname: 'esc/secret' },
    ]);
    assert.equal(viaLink.error.message, 'refusing layer entry "hl": parent esc is a symlink');
    assert.equal(existsSync(join(viaLink.dest, 'hl')), false);
    assert.equal((await stat(join(secretDir, 'secret'))).nlink, 1);
  });
});

describe('layer extraction metadata', () => {
  it('keeps setuid, setgid and sticky bits, ownership and mtimes, whatever the umask', async () => {
    const old = process.umask(0o077);
    let dest: string;
    try {
      dest = await extract([
        { path: 'bin/', type: 'dir', mode: 0o755 },
        { path: 'bin/su', mode: 0o4755, content: 'su', mtime: 1_500_000_000 },
        { path: 'bin/wall', mode: 0o2755, uid: 0, gid: 5, content: 'w' },
        { path: 'tmp/', type: 'dir', mode: 0o1777, mtime: 1_400_000_000 },
        { path: 'home/user/', type: 'dir', mode: 0o750, uid: 1000, gid: 1001 },
        { path: 'home/user/file', mode: 0o640, uid: 1000, gid: 1001, content: 'data' },
      ]);
    } finally {
      process.umask(old);
    }
    const su = await stat(join(dest, 'bin/su'));
    assert.equal(su.mode & 0o7777, 0o4755);
    assert.equal(su.mtimeMs, 1_500_000_000_000);
    const wall = await stat(join(dest, 'bin/wall'));
    assert.equal(wall.mode & 0o7777, 0o2755);
    assert.equal(wall.gid, 5);
    const tmp = await stat(join(dest, 'tmp'));
    assert.equal(tmp.mode & 0o7777, 0o1777);
    assert.equal(tmp.mtimeMs, 1_400_000_000_000);
    const home = await stat(join(dest, 'home/user'));
    assert.deepEqual([home.mode & 0o7777, home.uid, home.gid], [0o750, 1000, 1001]);
    const file = await stat(join(dest, 'home/user/file'));
    assert.deepEqual([file.mode & 0o7777, file.uid, file.gid], [0o640, 1000, 1001]);
  });

  it('creates hard links, verbatim absolute symlinks, devices, fifos, long names and xattrs', async () => {
    const long = `deep/${'d'.repeat(120)}/${'f'.repeat(90)}`;
    const dest = await extract([
      { path: 'bin/busybox', mode: 0o755, content: 'bb' },
      { path: 'bin/sh', type: 'hardlink', linkname: 'bin/busybox' },
      { path: 'bin/ls', type: 'symlink', linkname: '/bin/busybox', uid: 7, gid: 7 },
      { path: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 },
      { path: 'run/fifo', type: 'fifo', mode: 0o600 },
      { path: long, content: 'pax' },
      { path: `gnu/${'g'.repeat(150)}`, content: 'gnu', gnuLongName: true },
      { path: 'bin/ping', mode: 0o755, content: 'p', xattrs: { 'user.note': 'hello', 'trusted.overlay.redirect': '/etc' } },
    ]);
    const [a, b] = await Promise.all([stat(join(dest, 'bin/busybox')), stat(join(dest, 'bin/sh'))]);
    assert.equal(a.ino, b.ino);
    assert.equal(a.nlink, 2);
    assert.equal(await readlink(join(dest, 'bin/ls')), '/bin/busybox');
    assert.equal((await lstat(join(dest, 'bin/ls'))).uid, 7);
    const nul = await stat(join(dest, 'dev/null'));
    assert.equal(nul.isCharacterDevice(), true);
    assert.equal(nul.rdev, (1 << 8) | 3);
    assert.equal(nul.mode & 0o7777, 0o666);
    assert.equal((await stat(join(dest, 'run/fifo'))).isFIFO(), true);
    assert.equal(await readFile(join(dest, long), 'utf8'), 'pax');
    assert.equal(await readFile(join(dest, `gnu/${'g'.repeat(150)}`), 'utf8'), 'gnu');
    assert.equal(getfattr(join(dest, 'bin/ping'), 'user.note'), 'hello');
    assert.throws(() => getfattr(join(dest, 'bin/ping'), 'trusted.overlay.redirect'));
  });
});

describe('overlay-native layers', () => {
  it('turns whiteouts into 0:0 devices and opaque markers into xattrs, and overlay honours them', async () => {
    const layers = join(base, 'layers');
    await mkdir(layers);
    const l1 = buildTar([
      { path: 'a/', type: 'dir' },
      { path: 'a/gone', content: '1' },
      { path: 'a/kept', content: '2' },
      { path: 'o/', type: 'dir' },
      { path: 'o/old1', content: 'x' },
      { path: 'o/sub/old2', content: 'y' },
    ]);
    const l2 = buildTar([
      { path: 'a/.wh.gone' },
      { path: 'o/', type: 'dir' },
      { path: 'o/.wh..wh..opq' },
      { path: 'o/new', content: 'z' },
    ]);
    const f1 = join(base, 'l1.tar.gz');
    const f2 = join(base, 'l2.tar');
    await writeFile(f1, gzip(l1));
    await writeFile(f2, l2);
    const c1 = sha256(l1);
    const c2 = sha256(Buffer.from(`${c1} ${sha256(l2)}`));
    await unpackLayer(layers, c1, sha256(l1), f1);
    const meta2 = await unpackLayer(layers, c2, sha256(l2), f2);
    assert.deepEqual(meta2.opaqueDirs, ['o']);
    const d1 = layerDiffDir(layers, c1);
    const d2 = layerDiffDir(layers, c2);
    const wh = await stat(join(d2, 'a/gone'));
    assert.equal(wh.isCharacterDevice(), true);
    assert.equal(wh.rdev, 0);
    assert.equal(getfattr(join(d2, 'o'), 'trusted.overlay.opaque'), 'y');

    const upper = join(base, 'upper');
    const work = join(base, 'work');
    const merged = join(base, 'merged');
    await Promise.all([mkdir(upper), mkdir(work), mkdir(merged)]);
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${d2}:${d1},upperdir=${upper},workdir=${work}`, merged]);
    try {
      assert.deepEqual((await readdir(join(merged, 'a'))).sort(), ['kept']);
      assert.deepEqual((await readdir(join(merged, 'o'))).sort(), ['new']);
      assert.equal(await readFile(join(merged, 'o/new'), 'utf8'), 'z');
    } finally {
      execFileSync('umount', [merged]);
    }
  });

  it('verifies the diff id and leaves nothing behind on a mismatch', async () => {
    const layers = join(base, 'layers-bad');
    await mkdir(layers);
    const tar = buildTar([{ path: 'f', content: 'x' }]);
    const file = join(base, 'bad.tar');
    await writeFile(file, tar);
    const wrong = sha256(Buffer.from('other'));
    await assert.rejects(unpackLayer(layers, wrong, wrong, file), { message: `layer ${wrong}: uncompressed content hashes to ${sha256(tar)}` });
    assert.deepEqual(await readdir(layers), []);
  });

  it('redoes a layer whose extraction never completed (no .done marker)', async () => {
    const layers = join(base, 'layers-crash');
    const tar = buildTar([{ path: 'complete', content: 'yes' }]);
    const id = sha256(tar);
    const file = join(base, 'crash.tar');
    await writeFile(file, tar);
    const half = join(layers, id.slice(7));
    await mkdir(join(half, 'diff'), { recursive: true });
    await writeFile(join(half, 'diff', 'partial'), '');
    assert.equal(await readLayerMeta(layers, id), undefined);
    await unpackLayer(layers, id, id, file);
    assert.deepEqual(await readdir(join(half, 'diff')), ['complete']);
    assert.equal(existsSync(join(half, '.done')), true);
  });

  it('refuses zstd layers with a clear message', async () => {
    const layers = join(base, 'layers-zstd');
    await mkdir(layers);
    const file = join(base, 'layer.zst');
    await writeFile(file, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]));
    const id = sha256(Buffer.from('z'));
    await assert.rejects(unpackLayer(layers, id, id, file), { message: `zstd-compressed layers are not supported (${file}); recompress the image with gzip` });
  });
});
