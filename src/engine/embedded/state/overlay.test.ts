import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isMounted, listMountsUnder, mountOverlay, unmountOverlay } from './overlay.js';
import { withTempDir } from './state-test-fixture.js';

/** Unmounts everything under `dir` (lazily) so the temp dir can always be removed. */
async function cleanup(dir: string): Promise<void> {
  for (const m of await listMountsUnder(dir)) execFileSync('umount', ['-l', m]);
}

function withMountDir(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir('ovl', async (dir) => {
    try {
      await fn(dir);
    } finally {
      await cleanup(dir);
    }
  });
}

describe('overlay', () => {
  it('mounts layers top first, honours whiteouts and opaque dirs, writes go to upper', () => withMountDir(async (dir) => {
    const [l0, l1] = [join(dir, 'l0'), join(dir, 'l1')];
    await mkdir(join(l0, 'etc'), { recursive: true });
    await mkdir(join(l0, 'opq'), { recursive: true });
    await writeFile(join(l0, 'etc', 'gone'), 'old');
    await writeFile(join(l0, 'etc', 'kept'), 'base');
    await writeFile(join(l0, 'opq', 'hidden'), 'x');
    await writeFile(join(l0, 'shadowed'), 'bottom');
    await mkdir(join(l1, 'etc'), { recursive: true });
    await mkdir(join(l1, 'opq'), { recursive: true });
    await writeFile(join(l1, 'opq', 'new'), 'y');
    await writeFile(join(l1, 'shadowed'), 'top');
    execFileSync('mknod', [join(l1, 'etc', 'gone'), 'c', '0', '0']);
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(l1, 'opq')]);
    const target = join(dir, 'c', 'rootfs');
    const [upper, work] = [join(dir, 'c', 'upper'), join(dir, 'c', 'work')];
    assert.equal(await isMounted(target), false);
    await mountOverlay({ lowerDirs: [l1, l0], upperDir: upper, workDir: work, target });
    assert.equal(await isMounted(target), true);
    assert.deepEqual((await readdir(join(target, 'etc'))).sort(), ['kept']);
    assert.deepEqual(await readdir(join(target, 'opq')), ['new']);
    assert.equal(await readFile(join(target, 'shadowed'), 'utf8'), 'top');
    await writeFile(join(target, 'etc', 'written'), 'w');
    assert.equal(await readFile(join(upper, 'etc', 'written'), 'utf8'), 'w');
    assert.deepEqual(await listMountsUnder(dir), [target]);
    await unmountOverlay(target);
    assert.equal(await isMounted(target), false);
    assert.deepEqual(await readdir(target), []);
    // Not mounted (and missing) targets are fine.
    await unmountOverlay(target);
    await unmountOverlay(join(dir, 'missing'));
  }));

  it('mounts with no lower layers and read-only', () => withMountDir(async (dir) => {
    const target = join(dir, 'rootfs');
    await mountOverlay({ lowerDirs: [], upperDir: join(dir, 'upper'), workDir: join(dir, 'work'), target, readOnly: true });
    assert.deepEqual(await readdir(target), []);
    await assert.rejects(writeFile(join(target, 'f'), 'x'), { code: 'EROFS' });
    await unmountOverlay(target);
    assert.deepEqual((await readdir(dir)).sort(), ['rootfs', 'upper', 'work']);
  }));

  it('mounts 40 layers with long paths (beyond one page of options)', () => withMountDir(async (dir) => {
    const base = join(dir, 'x'.repeat(60), 'y'.repeat(60));
    const lowers: string[] = [];
    for (let i = 0; i < 40; i++) {
      const l = join(base, `layer-${String(i).padStart(2, '0')}-${'z'.repeat(64)}`, 'diff');
      await mkdir(l, { recursive: true });
      await writeFile(join(l, `f${i}`), String(i));
      await writeFile(join(l, 'top'), String(i));
      lowers.push(l);
    }
    assert.ok(lowers.join(':').length > 4096);
    // The mount point itself has odd characters: space and comma.
    const target = join(dir, 'odd dir,1', 'rootfs');
    await mountOverlay({ lowerDirs: lowers, upperDir: join(dir, 'upper'), workDir: join(dir, 'work'), target });
    assert.equal(await isMounted(target), true);
    const names = await readdir(target);
    assert.equal(names.length, 41);
    assert.equal(await readFile(join(target, 'top'), 'utf8'), '0');
    assert.equal(await readFile(join(target, 'f39'), 'utf8'), '39');
    assert.deepEqual(await listMountsUnder(dir), [target]);
    await unmountOverlay(target);
    assert.equal(await isMounted(target), false);
  }));

  it('detaches a busy mount lazily', () => withMountDir(async (dir) => {
    const l0 = join(dir, 'l0');
    await mkdir(l0);
    const target = join(dir, 'rootfs');
    await mountOverlay({ lowerDirs: [l0], upperDir: join(dir, 'upper'), workDir: join(dir, 'work'), target });
    const busy = spawn('sleep', ['30'], { cwd: target, stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100));
      await unmountOverlay(target);
      assert.equal(await isMounted(target), false);
    } finally {
      busy.kill('SIGKILL');
    }
  }));

  it('reports a failed mount with mount\'s error', () => withMountDir(async (dir) => {
    await assert.rejects(
      mountOverlay({ lowerDirs: [join(dir, 'nope')], upperDir: join(dir, 'upper'), workDir: join(dir, 'work'), target: join(dir, 'rootfs') }),
      (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.equal((err as { kind?: string }).kind, 'failed');
        assert.match(err.message, new RegExp(`^mount overlay on ${join(dir, 'rootfs')}: mount: `));
        return true;
      },
    );
  }));
});
