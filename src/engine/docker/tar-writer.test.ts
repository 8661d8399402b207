import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstat, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { paxRecord, tarBuffer, tarStream } from './tar-writer.js';
import type { TarEntry } from './tar-writer.js';

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
      { type: 'directory', path: 'bin', mode: 0o755, mtime: MTIME },
      { type: 'file', path: 'bin/run', mode: 0o755, mtime: MTIME, size: 12, content: Buffer.from('#!/bin/sh\n:\n') },
      { type: 'file', path: 'empty', mode: 0o600, mtime: MTIME + 1, size: 0, content: Buffer.alloc(0) },
      { type: 'file', path: 'block', mode: 0o644, mtime: MTIME, size: 512, content: Buffer.alloc(512, 'a') },
      { type: 'directory', path: `${LONG_DIR}/`, mode: 0o700, mtime: MTIME },
      { type: 'file', path: LONG_FILE, mode: 0o640, mtime: MTIME, size: 5, content: Buffer.from('long\n') },
      { type: 'file', path: 'naïve-名前.txt', mode: 0o644, mtime: MTIME, size: 3, content: Buffer.from('utf') },
      { type: 'symlink', path: 'link', linkname: 'bin/run', mode: 0o777, mtime: MTIME },
      { type: 'symlink', path: 'longlink', linkname: LONG_TARGET, mode: 0o777, mtime: MTIME },
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
        { type: 'file', path: 'short', mode: 0o644, mtime: MTIME, size: 4, content: { file: join(dir, 'src') } },
        { type: 'file', path: 'padded', mode: 0o644, mtime: MTIME, size: 8, content: { file: join(dir, 'src') } },
      ])) chunks.push(chunk as Buffer);
      gnuTar(['-x', '-C', dir, '-f', '-'], Buffer.concat(chunks));
      assert.equal(await readFile(join(dir, 'short'), 'utf8'), 'abcd');
      assert.equal(await readFile(join(dir, 'padded'), 'utf8'), 'abcdef\0\0');
    });
  });
});
