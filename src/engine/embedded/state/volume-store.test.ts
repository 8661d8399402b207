import assert from 'node:assert/strict';
import { chmod, chown, link, lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { embeddedPaths } from '../paths.js';
import { withTempDir } from './state-test-fixture.js';
import { VolumeStore } from './volume-store.js';

function storeIn(root: string): VolumeStore {
  return new VolumeStore(embeddedPaths(root, join(root, 'run')));
}

describe('VolumeStore', () => {
  it('creates, inspects, lists by label and removes volumes', () => withTempDir('vol', async (root) => {
    const vs = storeIn(root);
    const info = await vs.create({ name: 'data.1', labels: { p: 'a' } });
    assert.deepEqual(info, { name: 'data.1', driver: 'local', labels: { p: 'a' }, mountpoint: join(root, 'volumes', 'data.1', '_data') });
    assert.equal((await stat(info.mountpoint)).isDirectory(), true);
    // An existing name comes back unchanged (labels of the second call ignored).
    assert.deepEqual(await vs.create({ name: 'data.1', labels: { p: 'b' } }), info);
    await vs.create({ name: 'b-vol', labels: { p: 'b', q: '1' } });
    const anon = await vs.createAnonymous({ q: '2' });
    assert.match(anon.name, /^[0-9a-f]{64}$/);
    assert.equal((await vs.readMeta(anon.name)).anonymous, true);
    assert.deepEqual((await vs.list()).map((v) => v.name), [anon.name, 'b-vol', 'data.1'].sort());
    assert.deepEqual((await vs.list({ p: 'b' })).map((v) => v.name), ['b-vol']);
    assert.deepEqual((await vs.list({ q: undefined })).map((v) => v.name), [anon.name, 'b-vol'].sort());
    await vs.remove('data.1', []);
    await assert.rejects(vs.inspect('data.1'), { kind: 'not-found', message: 'get data.1: no such volume' });
    await assert.rejects(vs.remove('data.1', []), { kind: 'not-found', message: 'get data.1: no such volume' });
    assert.deepEqual((await readdir(join(root, 'volumes'))).sort(), [anon.name, 'b-vol'].sort());
  }));

  it('validates names and options like Docker', () => withTempDir('vol', async (root) => {
    const vs = storeIn(root);
    await assert.rejects(vs.create({ name: 'a', labels: {} }), { kind: 'failed', message: 'create a: volume name is too short, names should be at least two alphanumeric characters' });
    await assert.rejects(vs.create({ name: '../x', labels: {} }), {
      message: 'create ../x: "../x" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path',
    });
    await assert.rejects(vs.create({ name: 'ok', labels: {}, driverOpts: { size: '1' } }), { kind: 'failed', message: 'create ok: invalid option key: "size"' });
    await assert.rejects(vs.create({ name: 'ok', labels: {}, driverOpts: { type: 'tmpfs', device: 'tmpfs' } }), { kind: 'unsupported' });
    await assert.rejects(vs.create({ name: 'ok', labels: {}, driver: 'nfs-plugin' }), {
      kind: 'unsupported', message: 'create ok: volume driver "nfs-plugin" is not supported by the embedded engine (only "local")',
    });
    assert.deepEqual(await vs.list(), []);
  }));

  it('refuses to remove a volume in use', () => withTempDir('vol', async (root) => {
    const vs = storeIn(root);
    await vs.create({ name: 'busy', labels: {} });
    await assert.rejects(vs.remove('busy', ['bbb', 'aaa']), { kind: 'conflict', message: 'remove busy: volume is in use - [aaa bbb]' });
    assert.equal((await vs.inspect('busy')).name, 'busy');
  }));

  it('binds the device of a bind volume, which must exist, and never deletes its content', () => withTempDir('vol', async (root) => {
    const vs = storeIn(root);
    const device = join(root, 'host-dir');
    await vs.create({ name: 'bound', labels: {}, driverOpts: { type: 'none', o: 'bind', device } });
    await assert.rejects(vs.mountSource('bound'), { kind: 'failed', message: `error while mounting volume 'bound': bind device ${device} does not exist` });
    await mkdir(device);
    await writeFile(join(device, 'keep'), 'k');
    assert.equal(await vs.mountSource('bound'), device);
    await vs.create({ name: 'plain', labels: {} });
    assert.equal(await vs.mountSource('plain'), join(root, 'volumes', 'plain', '_data'));
    await vs.remove('bound', []);
    assert.equal(await readFile(join(device, 'keep'), 'utf8'), 'k');
  }));

  it('copies image content up once, into an empty volume, keeping modes, owners, symlinks and hard links', () => withTempDir('vol', async (root) => {
    const vs = storeIn(root);
    const rootfs = join(root, 'rootfs');
    const src = join(rootfs, 'srv', 'data');
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'sub', 'setuid'), 'x');
    await chown(join(src, 'sub', 'setuid'), 1000, 1001);
    await chmod(join(src, 'sub', 'setuid'), 0o4750);
    await chown(join(src, 'sub'), 33, 33);
    await chmod(join(src, 'sub'), 0o1770);
    await chown(src, 999, 998);
    await chmod(src, 0o750);
    await symlink('/etc/passwd', join(src, 'abs-link'));
    await writeFile(join(src, 'a'), 'hard');
    await link(join(src, 'a'), join(src, 'b'));
    const vol = await vs.create({ name: 'cu', labels: {} });
    await vs.copyUp('cu', src, { root: rootfs });
    const dst = vol.mountpoint;
    assert.deepEqual((await readdir(dst)).sort(), ['a', 'abs-link', 'b', 'sub']);
    const rootStat = await stat(dst);
    assert.deepEqual([rootStat.uid, rootStat.gid, rootStat.mode & 0o7777], [999, 998, 0o750]);
    const subStat = await stat(join(dst, 'sub'));
    assert.deepEqual([subStat.uid, subStat.gid, subStat.mode & 0o7777], [33, 33, 0o1770]);
    const suid = await stat(join(dst, 'sub', 'setuid'));
    assert.deepEqual([suid.uid, suid.gid, suid.mode & 0o7777], [1000, 1001, 0o4750]);
    assert.equal(await readlink(join(dst, 'abs-link')), '/etc/passwd');
    assert.equal((await stat(join(dst, 'a'))).ino, (await stat(join(dst, 'b'))).ino);
    assert.equal((await vs.readMeta('cu')).initialized, true);
    // Once only: emptied later, it stays empty.
    await writeFile(join(src, 'later'), 'l');
    const again = await vs.create({ name: 'cu2', labels: {} });
    await vs.copyUp('cu', src, { root: rootfs });
    assert.equal((await readdir(dst)).includes('later'), false);
    // Not into a volume that already has content.
    await writeFile(join(again.mountpoint, 'mine'), 'm');
    await vs.copyUp('cu2', src, { root: rootfs });
    assert.deepEqual(await readdir(again.mountpoint), ['mine']);
    assert.equal((await vs.readMeta('cu2')).initialized, true);
  }));

  it('resolves the source inside the container root: an absolute symlink does not reach the host', () => withTempDir('vol', async (root) => {
    const vs = storeIn(root);
    const rootfs = join(root, 'rootfs');
    await mkdir(join(rootfs, 'real'), { recursive: true });
    await writeFile(join(rootfs, 'real', 'inside'), 'i');
    await symlink('/real', join(rootfs, 'data'));
    await symlink('/etc', join(rootfs, 'etc-link'));
    const vol = await vs.create({ name: 'sl', labels: {} });
    await vs.copyUp('sl', join(rootfs, 'data'), { root: rootfs });
    assert.deepEqual(await readdir(vol.mountpoint), ['inside']);
    // /etc-link → /etc inside the rootfs, which does not exist: nothing copied (not the host's /etc).
    const other = await vs.create({ name: 'sl2', labels: {} });
    await vs.copyUp('sl2', join(rootfs, 'etc-link'), { root: rootfs });
    assert.deepEqual(await readdir(other.mountpoint), []);
    assert.equal((await lstat(join(rootfs, 'etc-link'))).isSymbolicLink(), true);
    // A missing source copies nothing.
    const third = await vs.create({ name: 'sl3', labels: {} });
    await vs.copyUp('sl3', join(rootfs, 'nope'));
    assert.deepEqual(await readdir(third.mountpoint), []);
  }));

  it('copies into a bind volume\'s device', () => withTempDir('vol', async (root) => {
    const vs = storeIn(root);
    const device = join(root, 'dev-dir');
    await mkdir(device);
    const src = join(root, 'src');
    await mkdir(src);
    await writeFile(join(src, 'f'), 'content');
    await vs.create({ name: 'bd', labels: {}, driverOpts: { type: 'none', o: 'bind', device } });
    await vs.copyUp('bd', src);
    assert.equal(await readFile(join(device, 'f'), 'utf8'), 'content');
  }));
});
