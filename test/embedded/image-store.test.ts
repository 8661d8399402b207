/**
 * Store integrity: the inter-process lock (contention, stale takeover), concurrent loads from
 * separate processes, leases protecting fresh content from prune, and atomic index files.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ImageStore } from '../../src/engine/embedded/image/image-store.js';
import { StoreFiles } from '../../src/engine/embedded/image/store.js';
import { claimPidFile, withLock } from '../../src/engine/embedded/image/store-lock.js';
import { makeImage } from './image-registry-fixture.js';
import { buildTar, sha256 } from './image-tar-builder.js';

const run = promisify(execFile);
let base = '';

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'berth-store-'));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

/** An OCI archive of the 2-layer test image, tagged `name`. */
function ociArchive(name: string): Buffer {
  const img = makeImage('amd64', 'oci');
  const manifest = Buffer.from(JSON.stringify(img.manifest));
  const blob = (b: Buffer): { path: string; content: Buffer } => ({ path: `blobs/sha256/${sha256(b).slice(7)}`, content: b });
  return buildTar([
    { path: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' },
    blob(img.config),
    ...img.layers.map(blob),
    blob(manifest),
    { path: 'index.json', content: JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(manifest), size: manifest.length, annotations: { 'io.containerd.image.name': name } }] }) },
  ]);
}

describe('store lock', () => {
  it('serialises critical sections of concurrent callers', async () => {
    const lock = join(base, 'lock-a');
    const order: string[] = [];
    const section = (name: string) => async (): Promise<void> => {
      order.push(`${name}:in`);
      await new Promise((r) => setTimeout(r, 20));
      order.push(`${name}:out`);
    };
    await Promise.all([withLock(lock, section('a')), withLock(lock, section('b')), withLock(lock, section('c'))]);
    for (let i = 0; i < order.length; i += 2) assert.equal(order[i]!.split(':')[0], order[i + 1]!.split(':')[0]);
    assert.equal(existsSync(lock), false);
  });

  it('takes over a lock whose owner died, and waits for a live owner until its timeout', async () => {
    const lock = join(base, 'lock-b');
    const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    await writeFile(lock, `${dead}\n`);
    assert.equal(await withLock(lock, () => Promise.resolve('taken')), 'taken');
    await writeFile(lock, `${process.pid}\n`);
    await assert.rejects(withLock(lock, () => Promise.resolve('never'), { timeoutMs: 200 }), { message: `timed out waiting for the lock ${lock}` });
    await rm(lock);
  });
});

describe('pid file claims (one monitor per engine root)', () => {
  const moduleUrl = new URL('../../src/engine/embedded/image/store-lock.js', import.meta.url).href;
  // Each claimant prints whether it won, then stays alive a while so the others see a live owner.
  const claimant = `const { claimPidFile } = await import(${JSON.stringify(moduleUrl)}); const won = await claimPidFile(process.argv[1]); process.stdout.write(String(won)); if (won) await new Promise((r) => setTimeout(r, 1000));`;

  it('of many processes racing over a dead owner\'s pid file, exactly one wins', async () => {
    for (let round = 0; round < 8; round++) {
      const file = join(base, `monitor-${round}.pid`);
      const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
      await writeFile(file, `${dead}\n`);
      const results = await Promise.all(Array.from({ length: 6 }, () => run(process.execPath, ['--input-type=module', '-e', claimant, file])));
      const winners = results.filter((r) => r.stdout === 'true').length;
      assert.equal(winners, 1, `round ${round}: ${results.map((r) => r.stdout).join(' ')}`);
    }
  });

  it('keeps a live owner, takes over from a dead one and from an empty file left long ago', async () => {
    const file = join(base, 'claim.pid');
    await writeFile(file, `${process.pid}\n`);
    assert.equal(await claimPidFile(file), false);
    assert.equal((await readFile(file, 'utf8')).trim(), String(process.pid));
    const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    await writeFile(file, `${dead}\n`);
    assert.equal(await claimPidFile(file), true);
    assert.equal((await readFile(file, 'utf8')).trim(), String(process.pid));
    // A writer killed between creating the file and writing its pid: empty for a minute.
    await writeFile(file, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(file, old, old);
    assert.equal(await claimPidFile(file), true);
    // An empty file just created is someone claiming right now.
    await writeFile(file, '');
    assert.equal(await claimPidFile(file), false);
    await rm(file);
  });
});

describe('concurrent commands', () => {
  it('two processes loading at once leave one consistent store', async () => {
    const root = join(base, 'concurrent');
    const a = join(base, 'a.tar');
    const b = join(base, 'b.tar');
    await writeFile(a, ociArchive('example.test/app:a'));
    await writeFile(b, ociArchive('example.test/app:b'));
    const moduleUrl = new URL('../../src/engine/embedded/image/image-store.js', import.meta.url).href;
    const script = `const { ImageStore } = await import(${JSON.stringify(moduleUrl)}); const s = await ImageStore.open({ root: process.argv[1] }); await s.load(process.argv[2]);`;
    await Promise.all([a, b, a, b].map((f) => run(process.execPath, ['--input-type=module', '-e', script, root, f])));
    const store = await ImageStore.open({ root });
    const images = await store.list();
    assert.equal(images.length, 1);
    assert.deepEqual(images[0]!.repoTags, ['example.test/app:a', 'example.test/app:b']);
    const layerNames = (await readdir(store.files.layersDir)).sort();
    assert.equal(layerNames.length, 2);
    assert.ok(layerNames.every((n) => /^[0-9a-f]{64}$/.test(n)));
    for (const n of layerNames) assert.equal(existsSync(join(store.files.layersDir, n, '.done')), true);
    assert.deepEqual((await readdir(store.files.root)).filter((n) => n.startsWith('.tmp-') || n === 'lock'), []);
    assert.ok((await readdir(store.files.blobsDir)).every((n) => /^[0-9a-f]{64}$/.test(n)));
    const index = JSON.parse(await readFile(store.files.indexPath, 'utf8')) as { tags: Record<string, string> };
    assert.deepEqual(Object.keys(index.tags), ['example.test/app:a', 'example.test/app:b']);
  });
});

describe('prune and leases', () => {
  it('keeps content a running ingest wrote, and collects it once the ingest is gone', async () => {
    const store = await ImageStore.open({ root: join(base, 'lease') });
    const files: StoreFiles = store.files;
    let blob = '';
    await files.leased(async () => {
      blob = (await files.writeBlob(Buffer.from('fresh'))).digest;
      assert.deepEqual((await store.prune()).blobs, []);
    });
    assert.deepEqual(await files.listBlobs(), [blob]);
    // A lease left behind by a crashed process protects nothing.
    const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    await writeFile(join(files.leasesDir, `${dead}-deadbeef`), `${Date.now()}\n`);
    assert.deepEqual((await store.prune()).blobs, [blob]);
    assert.deepEqual(await readdir(files.leasesDir), []);
  });

  it('prune clears what crashed writers left: temp blobs, temp records, half-extracted layers', async () => {
    const store = await ImageStore.open({ root: join(base, 'crash') });
    const files = store.files;
    const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    const leftovers = [
      join(files.blobsDir, `.tmp-ingest-${dead}-0badf00d`),
      join(files.imagesDir, `.tmp-${'a'.repeat(64)}.json-${dead}-0badf00d`),
      join(files.root, `.tmp-repositories.json-${dead}-0badf00d`),
    ];
    for (const f of leftovers) await writeFile(f, 'partial');
    const live = join(files.blobsDir, `.tmp-ingest-${process.pid}-0badf00d`);
    await writeFile(live, 'in progress');
    await mkdir(join(files.layersDir, `.tmp-${'c'.repeat(16)}-${dead}-0badf00d`, 'diff'), { recursive: true });
    await store.prune();
    for (const f of leftovers) assert.equal(existsSync(f), false, f);
    assert.equal(existsSync(live), true);
    assert.deepEqual(await readdir(files.layersDir), []);
  });

  it('writes the index atomically with sorted keys and leaves no temp files', async () => {
    const files = new StoreFiles(join(base, 'atomic'));
    await files.init();
    await files.writeIndex({ tags: { 'b:1': `sha256:${'b'.repeat(64)}`, 'a:1': `sha256:${'a'.repeat(64)}` }, digests: {} });
    assert.equal(await readFile(files.indexPath, 'utf8'), `{\n  "tags": {\n    "a:1": "sha256:${'a'.repeat(64)}",\n    "b:1": "sha256:${'b'.repeat(64)}"\n  },\n  "digests": {}\n}\n`);
    assert.deepEqual((await readdir(files.root)).sort(), ['blobs', 'images', 'layers', 'leases', 'repositories.json']);
  });
});
