import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { importRootfs } from './import-rootfs.js';
import { layerDiffDir } from './layer-unpack.js';
import { StoreFiles } from './store.js';

let base = '';
let tar: Buffer;
const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'berth-import-'));
  const rootfs = join(base, 'rootfs');
  await mkdir(join(rootfs, 'etc'), { recursive: true });
  await mkdir(join(rootfs, 'bin'));
  await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await symlink('/bin/busybox', join(rootfs, 'bin/sh'));
  tar = execFileSync('tar', ['-C', rootfs, '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '-cf', '-', '.']);
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

async function newFiles(name: string): Promise<StoreFiles> {
  const files = new StoreFiles(join(base, name));
  await files.init();
  return files;
}

describe('importRootfs', () => {
  it('stores the tar as the single layer, unpacks it, and commits a config with its diff id and history', async () => {
    const files = await newFiles('plain');
    const created = new Date('2026-01-02T03:04:05.000Z');
    const id = await importRootfs(files, Readable.from([tar]), {
      tags: ['docker.io/library/rootfs:v1'],
      config: { Env: ['A=1'], Cmd: ['sh'] },
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      comment: 'Imported from rootfs.tar',
      created,
    });
    const config = JSON.parse((await files.readBlob(id)).toString('utf8')) as Record<string, unknown>;
    assert.equal(id, sha(await files.readBlob(id)));
    assert.deepEqual(config, {
      architecture: 'arm64', variant: 'v8', os: 'linux', created: '2026-01-02T03:04:05.000Z', comment: 'Imported from rootfs.tar',
      config: { Env: ['A=1'], Cmd: ['sh'] },
      history: [{ created: '2026-01-02T03:04:05.000Z', comment: 'Imported from rootfs.tar' }],
      rootfs: { type: 'layers', diff_ids: [sha(tar)] },
    });
    const rec = await files.readImage(id);
    assert.deepEqual(rec, {
      id, configDigest: id, repoTags: ['docker.io/library/rootfs:v1'], repoDigests: [],
      layers: [{ diffId: sha(tar), chainId: sha(tar), blobDigest: sha(tar), blobSize: tar.length, mediaType: 'application/vnd.oci.image.layer.v1.tar' }],
      created: created.getTime() / 1000, size: tar.length,
    });
    assert.deepEqual((await files.readIndex()).tags, { 'docker.io/library/rootfs:v1': id });
    const diff = layerDiffDir(files.layersDir, sha(tar));
    assert.equal(await readFile(join(diff, 'etc/passwd'), 'utf8'), 'root:x:0:0:root:/root:/bin/sh\n');
    assert.equal(await readlink(join(diff, 'bin/sh')), '/bin/busybox');
  });

  it('takes gzip input (the layer is the uncompressed tar) in small chunks', async () => {
    const files = await newFiles('gzip');
    const gz = gzipSync(tar);
    const chunks = Array.from({ length: Math.ceil(gz.length / 7) }, (_, i) => gz.subarray(i * 7, i * 7 + 7));
    const id = await importRootfs(files, Readable.from(chunks), { tags: [], config: {}, platform: { os: 'linux', architecture: 'amd64' } });
    const rec = await files.readImage(id);
    assert.equal(rec?.layers[0]?.diffId, sha(tar));
    assert.deepEqual(await files.listBlobs(), [id, sha(tar)].sort());
  });

  it('refuses empty input and input that is no tar, keeping no blob', async () => {
    const files = await newFiles('bad');
    await assert.rejects(importRootfs(files, Readable.from([]), { tags: [], config: {}, platform: { os: 'linux', architecture: 'amd64' } }), { message: 'the archive to import is empty' });
    await assert.rejects(importRootfs(files, Readable.from([Buffer.alloc(1024, 0x41)]), { tags: [], config: {}, platform: { os: 'linux', architecture: 'amd64' } }));
    await assert.rejects(importRootfs(files, Readable.from([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0])]), { tags: [], config: {}, platform: { os: 'linux', architecture: 'amd64' } }), {
      message: 'zstd-compressed archives are not supported; use a plain or gzip-compressed tar',
    });
    assert.deepEqual(await files.listBlobs(), []);
    assert.deepEqual(await files.listImages(), []);
  });
});
