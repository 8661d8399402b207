import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { extractTar } from './tar-reader.js';
import { tarPath } from './tar-writer.js';

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

describe('tar writer + reader', () => {
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
});
