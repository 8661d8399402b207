/**
 * `image pull` against Debian's docker-registry on 127.0.0.1 (its own config and storage):
 * OCI and Docker media types, manifest lists with platform choice, digests, progress,
 * basic auth from a Docker config file, and Bearer tokens through a token proxy.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProgressEvent } from '../../src/engine/engine.js';
import { isEngineError } from '../../src/engine/engine-error.js';
import { ImageStore } from '../../src/engine/embedded/image/image-store.js';
import { basic, makeImage, PASSWORD, pushImage, pushManifest, startRegistry, startTokenProxy, USER } from './image-registry-fixture.js';
import type { RunningRegistry, TokenProxy } from './image-registry-fixture.js';

let base = '';
let open: RunningRegistry | undefined;
let locked: RunningRegistry | undefined;
let proxy: TokenProxy | undefined;
let stores = 0;
const amd = makeImage('amd64', 'oci');
const arm = makeImage('arm64', 'docker');
let listDigest = '';
let amdDigest = '';

async function newStore(extra: { dockerConfigPath?: string } = {}): Promise<ImageStore> {
  stores += 1;
  return ImageStore.open({ root: join(base, `root${stores}`), platform: 'linux/amd64', ...extra });
}

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'berth-registry-'));
  open = await startRegistry(join(base, 'open'), { htpasswd: false });
  locked = await startRegistry(join(base, 'locked'), { htpasswd: true });
  proxy = await startTokenProxy(open.host);
  amdDigest = await pushImage(open.host, 'test/app', 'amd', amd);
  await pushImage(open.host, 'test/app', 'arm', arm);
  const list = {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
    manifests: [
      { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: (await pushManifest(open.host, 'test/app', 'arm', arm.manifest, 'application/vnd.docker.distribution.manifest.v2+json')), size: Buffer.byteLength(JSON.stringify(arm.manifest)), platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: amdDigest, size: Buffer.byteLength(JSON.stringify(amd.manifest)), platform: { os: 'linux', architecture: 'amd64' } },
    ],
  };
  listDigest = await pushManifest(open.host, 'test/app', 'multi', list, list.mediaType);
  await pushImage(locked.host, 'private/app', 'v1', amd, basic());
});

after(async () => {
  await proxy?.stop();
  await open?.stop();
  await locked?.stop();
  await rm(base, { recursive: true, force: true });
});

describe('image pull from docker-registry', () => {
  it('pulls a single OCI manifest by tag, with progress, and unpacks its layers', async () => {
    const store = await newStore();
    const events: ProgressEvent[] = [];
    const info = await store.pull(`${open!.host}/test/app:amd`, { onProgress: (e) => events.push(e) });
    assert.equal(info.id, amd.configDigest);
    assert.deepEqual(info.repoTags, [`${open!.host}/test/app:amd`]);
    assert.deepEqual(info.repoDigests, [`${open!.host}/test/app@${amdDigest}`]);
    assert.deepEqual(info.config, { command: ['/bin/serve'], env: ['A=1'], user: 'web', exposedPorts: ['80/tcp'], volumes: [] });
    assert.equal(info.created, Date.parse('2026-01-02T03:04:05Z') / 1000);
    const layerIds = (amd.manifest.layers as Array<{ digest: string }>).map((l) => l.digest.slice(7, 19));
    for (const layer of layerIds) {
      const statuses = events.flatMap((e) => (e.kind === 'pull' && e.layer === layer ? [e.status] : []));
      assert.deepEqual(statuses.filter((s) => s !== 'Downloading'), ['Pulling fs layer', 'Download complete', 'Extracting', 'Pull complete']);
      const last = events.filter((e) => e.kind === 'pull' && e.layer === layer && e.status === 'Downloading').pop();
      assert.ok(last?.kind === 'pull' && last.current === last.total && last.total !== undefined && last.total > 0);
    }
    const final = events.at(-1);
    assert.equal(final?.kind === 'pull' ? final.status : undefined, `Digest: ${amdDigest}`);
    const [top] = await store.lowerDirs(info.id);
    assert.deepEqual((await readdir(join(top!, 'srv'))).sort(), ['new', 'old']);
    assert.equal(await readFile(join(top!, 'srv/new'), 'utf8'), 'new');
    assert.deepEqual(await store.resolveUser(info.id, undefined), { uid: 0, gid: 0, additionalGids: [] });
    assert.deepEqual(await store.resolveUser(info.id, 'web'), { uid: 81, gid: 82, additionalGids: [] });

    const again: ProgressEvent[] = [];
    await store.pull(`${open!.host}/test/app:amd`, { onProgress: (e) => again.push(e) });
    assert.equal(again.filter((e) => e.kind === 'pull' && e.status === 'Already exists' && e.layer !== undefined).length, 2);
  });

  it('picks the platform from a manifest list (Docker media types) and records the list digest', async () => {
    const store = await newStore();
    const def = await store.pull(`${open!.host}/test/app:multi`);
    assert.equal(def.id, amd.configDigest);
    assert.deepEqual(def.repoDigests, [`${open!.host}/test/app@${listDigest}`]);
    const armInfo = await store.pull(`${open!.host}/test/app:multi`, { platform: 'linux/arm64' });
    assert.equal(armInfo.id, arm.configDigest);
    assert.deepEqual(armInfo.repoTags, [`${open!.host}/test/app:multi`]);
    assert.deepEqual((await store.inspect(def.id))?.repoTags, []);
    await assert.rejects(store.pull(`${open!.host}/test/app:multi`, { platform: 'linux/s390x' }), {
      message: 'no matching manifest for linux/s390x in the manifest list (available: linux/amd64, linux/arm64/v8)',
    });
  });

  it('pulls by digest and fails clearly on unknown tags', async () => {
    const store = await newStore();
    const info = await store.pull(`${open!.host}/test/app@${amdDigest}`);
    assert.equal(info.id, amd.configDigest);
    assert.deepEqual(info.repoTags, []);
    assert.equal((await store.inspect(`${open!.host}/test/app@${amdDigest}`))?.id, amd.configDigest);
    await assert.rejects(store.pull(`${open!.host}/test/app:nope`), (err: unknown) => isEngineError(err, 'not-found') && /manifest 127\.0\.0\.1:\d+\/test\/app:nope not found: MANIFEST_UNKNOWN/.test(err.message));
  });

  it('uses basic credentials from the Docker config file, and is denied without them', async () => {
    const anonymous = await newStore();
    await assert.rejects(anonymous.pull(`${locked!.host}/private/app:v1`), /^EngineError: pull access denied for 127\.0\.0\.1:\d+\/private\/app:v1: 401/);
    const configPath = join(base, 'docker-config.json');
    await writeFile(configPath, JSON.stringify({ auths: { [locked!.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }));
    const store = await newStore({ dockerConfigPath: configPath });
    assert.equal((await store.pull(`${locked!.host}/private/app:v1`)).id, amd.configDigest);
  });

  it('gets a Bearer token from the challenge realm, sending the basic credentials', async () => {
    const configPath = join(base, 'docker-config-bearer.json');
    await writeFile(configPath, JSON.stringify({ auths: { [`http://${proxy!.host}`]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }));
    const store = await newStore({ dockerConfigPath: configPath });
    proxy!.tokenRequests.length = 0;
    assert.equal((await store.pull(`${proxy!.host}/test/app:amd`)).id, amd.configDigest);
    assert.deepEqual(proxy!.tokenRequests, [{ authorization: basic(), scope: 'repository:test/app:pull', service: 'berth-test' }]);
  });

  it('refuses blobs that do not match their digest and stores nothing of them', async () => {
    const configPath = join(base, 'docker-config-corrupt.json');
    await writeFile(configPath, JSON.stringify({ auths: { [proxy!.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }));
    const store = await newStore({ dockerConfigPath: configPath });
    proxy!.corruptBlobs = true;
    try {
      await assert.rejects(store.pull(`${proxy!.host}/test/app:amd`), new RegExp(`^Error: digest mismatch: expected ${amd.configDigest} \\(${amd.config.length} bytes\\), got sha256:`));
    } finally {
      proxy!.corruptBlobs = false;
    }
    assert.equal((await store.files.listBlobs()).includes(amd.configDigest), false);
    assert.deepEqual(await store.list(), []);
  });
});
