import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { extractTar } from './extract-tar.js';
import { readTar } from './tar-reader.js';
import { paxRecord, tarBuffer, tarPath, tarStream, withParentDirs } from './tar.js';
import type { TarEntry } from './tar.js';

const MTIME = 1_600_000_000;
const LONG_DIR = `deep/${'d'.repeat(90)}/${'e'.repeat(40)}`;
const LONG_FILE = `${LONG_DIR}/file-with-a-long-name.txt`;
const LONG_TARGET = `../${'t'.repeat(150)}`;

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-tar-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function gnuTar(args: string[], input: Buffer): string {
  const res = spawnSync('tar', args, { input });
  assert.equal(res.status, 0, res.stderr.toString());
  assert.equal(res.stderr.toString(), '', 'GNU tar reports no warnings');
  return res.stdout.toString();
}

describe('tar writer', () => {
  it('writes pax records whose length prefix counts itself', () => {
    assert.equal(paxRecord('path', 'a'), '9 path=a\n');
    const long = paxRecord('path', 'x'.repeat(95));
    assert.equal(long, `105 path=${'x'.repeat(95)}\n`);
    assert.equal(Buffer.byteLength(long), 105);
    // 6 + 91 bytes of body: 97 + 2 digits would be 99, so the record is exactly 99 bytes.
    assert.equal(paxRecord('path', 'y'.repeat(90)), `99 path=${'y'.repeat(90)}\n`);
    assert.equal(paxRecord('path', 'é'), '11 path=é\n');
  });

  it('round-trips through GNU tar: names, long names, symlinks, modes and mtimes', async () => {
    const entries: TarEntry[] = [
      { type: 'dir', path: 'bin', mode: 0o755, mtime: MTIME },
      { type: 'file', path: 'bin/run', mode: 0o755, mtime: MTIME, content: Buffer.from('#!/bin/sh\n:\n') },
      { type: 'file', path: 'empty', mode: 0o600, mtime: MTIME + 1, content: Buffer.alloc(0) },
      { type: 'file', path: 'block', mode: 0o644, mtime: MTIME, content: Buffer.alloc(512, 'a') },
      { type: 'dir', path: `${LONG_DIR}/`, mode: 0o700, mtime: MTIME },
      { type: 'file', path: LONG_FILE, mode: 0o640, mtime: MTIME, content: Buffer.from('long\n') },
      { type: 'file', path: 'naïve-名前.txt', mode: 0o644, mtime: MTIME, content: Buffer.from('utf') },
      { type: 'symlink', path: 'link', linkTarget: 'bin/run', mode: 0o777, mtime: MTIME },
      { type: 'symlink', path: 'longlink', linkTarget: LONG_TARGET, mode: 0o777, mtime: MTIME },
    ];
    const archive = await tarBuffer(entries);
    assert.equal(archive.length % 512, 0);
    assert.deepEqual(archive.subarray(archive.length - 1024), Buffer.alloc(1024));

    const listing = gnuTar(['-t', '-f', '-'], archive).split('\n').filter((l) => l !== '');
    assert.deepEqual(listing, ['bin/', 'bin/run', 'empty', 'block', `${LONG_DIR}/`, LONG_FILE, 'naïve-名前.txt', 'link', 'longlink']);
    const verbose = gnuTar(['-tv', '--numeric-owner', '-f', '-'], archive);
    assert.match(verbose, /^-rwxr-xr-x 0\/0 +12 2020-09-13 \d\d:\d\d bin\/run$/m);
    assert.match(verbose, /^lrwxrwxrwx 0\/0 +0 .* link -> bin\/run$/m);

    await withDir(async (dir) => {
      gnuTar(['-x', '-C', dir, '-f', '-'], archive);
      assert.equal(await readFile(join(dir, 'bin/run'), 'utf8'), '#!/bin/sh\n:\n');
      const run = await lstat(join(dir, 'bin/run'));
      assert.equal(run.mode & 0o777, 0o755);
      assert.equal(Math.floor(run.mtimeMs / 1000), MTIME);
      assert.equal((await lstat(join(dir, 'empty'))).mtimeMs / 1000, MTIME + 1);
      assert.equal((await lstat(join(dir, 'empty'))).mode & 0o777, 0o600);
      assert.equal(await readFile(join(dir, 'block'), 'utf8'), 'a'.repeat(512));
      assert.equal(await readFile(join(dir, LONG_FILE), 'utf8'), 'long\n');
      assert.equal((await lstat(join(dir, LONG_FILE))).mode & 0o777, 0o640);
      assert.equal(await readFile(join(dir, 'naïve-名前.txt'), 'utf8'), 'utf');
      assert.equal(await readlink(join(dir, 'link')), 'bin/run');
      assert.equal(await readlink(join(dir, 'longlink')), LONG_TARGET);
    });
  });

  it('streams file contents from disk, padding a file that shrank and cutting one that grew', async () => {
    await withDir(async (dir) => {
      await writeFile(join(dir, 'src'), 'abcdef');
      const chunks: Buffer[] = [];
      for await (const chunk of tarStream([
        { type: 'file', path: 'short', mode: 0o644, mtime: MTIME, content: { file: join(dir, 'src'), size: 4 } },
        { type: 'file', path: 'padded', mode: 0o644, mtime: MTIME, content: { file: join(dir, 'src'), size: 8 } },
      ])) chunks.push(chunk as Buffer);
      gnuTar(['-x', '-C', dir, '-f', '-'], Buffer.concat(chunks));
      assert.equal(await readFile(join(dir, 'short'), 'utf8'), 'abcd');
      assert.equal(await readFile(join(dir, 'padded'), 'utf8'), 'abcdef\0\0');
    });
  });

  it('stats a streamed file without a size, and defaults modes, owners and mtime', async () => {
    await withDir(async (dir) => {
      await writeFile(join(dir, 'src'), 'sized by stat');
      const archive = await tarBuffer([
        { type: 'dir', path: 'd' },
        { type: 'file', path: 'd/f', content: { file: join(dir, 'src') } },
        { type: 'symlink', path: 'd/l', linkTarget: 'f' },
      ]);
      const verbose = gnuTar(['-tv', '--numeric-owner', '--full-time', '-f', '-'], archive);
      assert.match(verbose, /^drwxr-xr-x 0\/0 +0 1970-01-01 \S+ d\/$/m);
      assert.match(verbose, /^-rw-r--r-- 0\/0 +13 1970-01-01 \S+ d\/f$/m);
      assert.match(verbose, /^lrwxrwxrwx 0\/0 +0 1970-01-01 \S+ d\/l -> f$/m);
    });
  });

  it('adds missing parent directories once, root owned 0755, before their children', () => {
    const entries = withParentDirs([
      { type: 'file', path: 'run/secrets/a', content: Buffer.from('a'), mode: 0o400, uid: 1, gid: 2 },
      { type: 'file', path: 'run/secrets/b', content: Buffer.from('b') },
      { type: 'dir', path: 'etc/' },
      { type: 'file', path: 'etc/conf', content: Buffer.from('c') },
      { type: 'file', path: 'top', content: Buffer.from('t') },
    ]);
    assert.deepEqual(entries.map((e) => `${e.type} ${e.path} ${e.mode?.toString(8) ?? '-'} ${e.uid ?? '-'}`), [
      'dir run 755 0', 'dir run/secrets 755 0', 'file run/secrets/a 400 1', 'file run/secrets/b - -', 'dir etc/ - -', 'file etc/conf - -', 'file top - -',
    ]);
  });
});

const scratch = await mkdtemp(join(tmpdir(), 'berth-tar-test-'));
after(() => rm(scratch, { recursive: true, force: true }));

/** A one-entry archive with a raw name (to try path tricks the writer never produces). */
function rawTar(name: string, body: string, type = '0', linkname = ''): Readable {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${Buffer.byteLength(body).toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write(type, 156);
  h.write(linkname, 157);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const data = Buffer.alloc(Math.ceil(Buffer.byteLength(body) / 512) * 512);
  data.write(body);
  return Readable.from([Buffer.concat([h, data, Buffer.alloc(1024)])]);
}

describe('tar reader (extract) with the writer', () => {
  it('round-trips a tree with modes, symlinks and long names, renaming the root', async () => {
    const src = join(scratch, 'src');
    const long = 'n'.repeat(120);
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'a.txt'), 'alpha\n');
    await writeFile(join(src, 'sub', long), 'x'.repeat(1500));
    await chmod(join(src, 'sub', long), 0o751);
    await symlink('../a.txt', join(src, 'sub', 'link'));
    const dest = join(scratch, 'out');
    await mkdir(dest);
    await extractTar(tarPath(src, 'src', false), { dest, renameRoot: 'copy', keepOwner: false });
    assert.equal(await readFile(join(dest, 'copy', 'a.txt'), 'utf8'), 'alpha\n');
    assert.equal(await readFile(join(dest, 'copy', 'sub', long), 'utf8'), 'x'.repeat(1500));
    assert.equal((await lstat(join(dest, 'copy', 'sub', long))).mode & 0o777, 0o751);
    assert.equal(await readlink(join(dest, 'copy', 'sub', 'link')), '../a.txt');
  });

  it('refuses entries that climb out of the destination or go through a symlink', async () => {
    const dest = join(scratch, 'safe');
    await mkdir(dest);
    await assert.rejects(extractTar(rawTar('../evil.txt', 'x'), { dest, keepOwner: false }), /refusing to extract \.\.\/evil\.txt: outside the destination/);
    await assert.rejects(extractTar(rawTar('/etc/evil', 'x'), { dest, keepOwner: false }), /outside the destination/);
    await symlink('/tmp', join(dest, 'escape'));
    await assert.rejects(extractTar(rawTar('escape/evil.txt', 'x'), { dest, keepOwner: false }), /refusing to write through .*escape: not a directory/);
    await assert.rejects(extractTar(rawTar('hl', '', '1', '../../etc/passwd'), { dest, keepOwner: false }), /refusing hard link/);
  });

  it('creates no device nodes, FIFOs or unknown entry types', async () => {
    const dest = join(scratch, 'special');
    await mkdir(dest);
    await extractTar(rawTar('pipe', '', '6'), { dest, keepOwner: false });
    await extractTar(rawTar('dev', '', '3'), { dest, keepOwner: false });
    await extractTar(rawTar('sparse', 'abc', 'S'), { dest, keepOwner: false });
    assert.deepEqual(await readdir(dest), []);
  });

  it('reads headers with pax long names, types and link targets', async () => {
    const seen: string[] = [];
    const long = `${'p'.repeat(120)}/file`;
    const archive = await tarBuffer([
      { type: 'dir', path: 'a', mtime: 5 },
      { type: 'file', path: long, content: Buffer.from('body'), mode: 0o600, uid: 7, gid: 8 },
      { type: 'symlink', path: 'a/l', linkTarget: `../${'t'.repeat(110)}` },
    ]);
    for await (const { header: h, body } of readTar(Readable.from([archive]))) {
      let text = '';
      for await (const chunk of body) text += chunk.toString();
      seen.push(`${h.type} ${h.path.length} ${h.mode.toString(8)} ${h.uid}:${h.gid} ${h.mtime} ${h.linkTarget.length} ${text}`);
    }
    assert.deepEqual(seen, ['dir 2 755 0:0 5 0 ', `file ${long.length} 600 7:8 0 0 body`, 'symlink 3 777 0:0 0 113 ']);
  });
});
