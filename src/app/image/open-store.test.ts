import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { containersUsage, openImageStore, storeOptions } from './open-store.js';

describe('storeOptions', () => {
  it('reads BERTH_ROOT, BERTH_INSECURE_REGISTRIES and DOCKER_CONFIG, with defaults', () => {
    assert.deepEqual(storeOptions({ BERTH_ROOT: '/srv/berth', BERTH_INSECURE_REGISTRIES: 'a:5000, b.local  c', DOCKER_CONFIG: '/cfg' }, '/home/u'), {
      root: '/srv/berth', insecureRegistries: ['a:5000', 'b.local', 'c'], dockerConfigPath: '/cfg/config.json',
    });
    assert.deepEqual(storeOptions({ HOME: '/root' }, '/home/u'), { root: '/var/lib/berth', insecureRegistries: [], dockerConfigPath: '/root/.docker/config.json' });
    assert.deepEqual(storeOptions({ BERTH_ROOT: '' }, '/home/u').dockerConfigPath, '/home/u/.docker/config.json');
  });
});

describe('openImageStore', () => {
  it('refuses non-root users for changes, and for reading a store they cannot read', async () => {
    const root = await mkdtemp(join(tmpdir(), 'berth-open-store-'));
    try {
      await assert.rejects(openImageStore({ BERTH_ROOT: root }, { write: true, uid: 1000 }), { name: 'UsageError', message: 'the embedded engine needs root (rootless is not supported yet)' });
      await assert.rejects(openImageStore({ BERTH_ROOT: join(root, 'none') }, { write: false, uid: 1000 }), {
        message: `the embedded engine needs root (rootless is not supported yet): cannot read the image store under ${join(root, 'none')}`,
      });
      const store = await openImageStore({ BERTH_ROOT: root }, { write: true, uid: 0 });
      assert.equal(store.files.root, join(root, 'image'));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('containersUsage', () => {
  it('collects image ids and layer chain ids of container records, skipping broken ones', async () => {
    const root = await mkdtemp(join(tmpdir(), 'berth-usage-'));
    try {
      assert.deepEqual(await containersUsage({ BERTH_ROOT: root }), { imagesInUse: new Set(), layersInUse: new Set() });
      const write = async (id: string, text: string): Promise<void> => {
        await mkdir(join(root, 'containers', id), { recursive: true });
        await writeFile(join(root, 'containers', id, 'config.json'), text);
      };
      await write('a', JSON.stringify({ imageId: 'sha256:1', layerChainIds: ['sha256:l1', 'sha256:l2'] }));
      await write('b', JSON.stringify({ imageId: 'sha256:2', layerChainIds: ['sha256:l1', 7] }));
      await write('c', '{"imageId": "sha256:tor');
      await mkdir(join(root, 'containers', 'd'));
      assert.deepEqual(await containersUsage({ BERTH_ROOT: root }), { imagesInUse: new Set(['sha256:1', 'sha256:2']), layersInUse: new Set(['sha256:l1', 'sha256:l2']) });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
