/**
 * `image load` of real `docker save` archives (legacy layout, Docker 25+ OCI layout) and OCI
 * archives, checked against what dockerd itself shows: config, tags, and the merged root
 * file system (overlay mount of our layer dirs vs `docker export`).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { Stats } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ImageStore } from '../../src/engine/embedded/image/image-store.js';
import { skipWithoutDocker } from '../helpers/docker.js';
import { BUSYBOX, buildTestImage, docker, legacyParts, ociArchive, requireDocker } from './image-docker-fixture.js';

let base = '';
let tag = '';
let legacyArchive = '';
let stores = 0;

async function newStore(): Promise<ImageStore> {
  stores += 1;
  return ImageStore.open({ root: join(base, `root${stores}`), platform: 'linux/amd64' });
}

function typeChar(st: Stats): string {
  if (st.isDirectory()) return 'd';
  if (st.isSymbolicLink()) return 'l';
  if (st.isCharacterDevice()) return 'c';
  if (st.isBlockDevice()) return 'b';
  if (st.isFIFO()) return 'p';
  return '-';
}

/** `path type mode uid/gid` for every path below `dir`. */
async function walk(dir: string, root = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    const st = await lstat(p);
    const mode = st.isSymbolicLink() ? '777' : (st.mode & 0o7777).toString(8);
    out.push(`${relative(root, p)}${e.isDirectory() ? '/' : ''} ${typeChar(st)} ${mode} ${st.uid}/${st.gid}`);
    if (e.isDirectory()) out.push(...(await walk(p, root)));
  }
  return out;
}

/** `drwsr-xr-t` → type and octal mode, as in our walk. */
function parsePerms(perms: string): string {
  let mode = 0;
  const bits = perms.slice(1);
  const specials = [0o4000, 0o2000, 0o1000];
  for (let i = 0; i < 9; i++) {
    const c = bits[i]!;
    if (c !== '-' && c !== 'S' && c !== 'T') mode |= 1 << (8 - i);
    if ((c === 's' || c === 'S' || c === 't' || c === 'T') && i % 3 === 2) mode |= specials[Math.floor(i / 3)]!;
  }
  const type = perms[0] === 'h' ? '-' : perms[0]!;
  return `${type} ${mode.toString(8)}`;
}

function pathOf(line: string): string {
  return line.slice(0, line.indexOf(' ')).replace(/\/$/, '');
}

/** Paths dockerd adds to every container (its init layer), which are not image content. */
const RUNTIME_PATHS = /^(\.dockerenv|(dev|proc|sys)(\/.*)?|etc\/(hosts|hostname|resolv\.conf|mtab))$/;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'berth-archive-'));
  if (skipWithoutDocker !== false) return;
  await requireDocker();
  tag = await buildTestImage(base);
  legacyArchive = join(base, 'legacy.tar');
  docker(['save', '-o', legacyArchive, tag, BUSYBOX]);
});

after(async () => {
  if (tag !== '') docker(['rmi', '-f', tag]);
  await rm(base, { recursive: true, force: true });
});

describe('image load: docker save (legacy layout)', { skip: skipWithoutDocker }, () => {
  it('loads every image of the archive with its tags and its config', async () => {
    const store = await newStore();
    const loaded = await store.load(legacyArchive);
    assert.equal(loaded.length, 2);
    const dockerId = docker(['image', 'inspect', '--format', '{{.Id}}', tag]).trim();
    const info = await store.inspect(tag);
    assert.ok(info !== undefined);
    assert.equal(info.id, dockerId);
    assert.deepEqual(info.repoTags, [tag]);
    assert.deepEqual(info.labels, { 'org.example.kind': 'test' });
    assert.deepEqual(info.config, {
      entrypoint: ['/bin/sh', '-c'],
      command: ['echo hello'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'GREETING=hi'],
      workingDir: '/opq',
      user: 'app',
      exposedPorts: ['53/udp', '8080/tcp'],
      volumes: ['/data'],
      stopSignal: 'SIGINT',
      healthcheck: { test: ['CMD-SHELL', 'test -f /opq/c'], intervalMs: 5000, timeoutMs: 2000, retries: 4 },
    });
    assert.equal((await store.inspect(BUSYBOX))?.repoTags[0], BUSYBOX);
    const listed = (await store.list()).map((i) => i.repoTags.join(',')).sort();
    assert.deepEqual(listed, [BUSYBOX, tag].sort());
    // The busybox layer is shared: 3 layer dirs for 1 + 3 layers.
    assert.equal((await readdir(join(store.files.layersDir))).filter((n) => /^[0-9a-f]{64}$/.test(n)).length, 3);
    // Only referenced content is kept (not the archive's VERSION, json or repositories files).
    const referenced = new Set<string>();
    for (const rec of await store.files.listImages()) for (const d of [rec.configDigest, ...rec.layers.map((l) => l.blobDigest!)]) referenced.add(d);
    assert.deepEqual(await store.files.listBlobs(), [...referenced].sort());
  });

  it('gives the same merged root file system as dockerd, with the deletion and the opaque dir applied', async () => {
    const store = await newStore();
    await store.load(legacyArchive);
    const info = await store.inspect(tag);
    assert.ok(info !== undefined);
    const lower = await store.lowerDirs(info.id);
    assert.equal(lower.length, 3);
    const [upper, work, merged] = ['upper', 'work', 'merged'].map((d) => join(base, `ovl-${d}`));
    for (const d of [upper!, work!, merged!]) await mkdir(d, { recursive: true });
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower.join(':')},upperdir=${upper!},workdir=${work!}`, merged!]);
    let ours: string[];
    try {
      ours = (await walk(merged!)).sort();
      assert.deepEqual((await readdir(join(merged!, 'opq'))).sort(), ['c']);
      assert.equal(await readFile(join(merged!, 'opq/c'), 'utf8'), 'c\n');
    } finally {
      execFileSync('umount', [merged!]);
    }
    assert.equal(ours.some((l) => pathOf(l) === 'deleted-later'), false);
    const cid = docker(['create', tag]).trim();
    let theirs: string[];
    try {
      const listing = execFileSync('sh', ['-c', `docker export ${cid} | tar -tv --numeric-owner`], { encoding: 'utf8', maxBuffer: 64 << 20 });
      theirs = listing
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const m = /^(\S+)\s+(\d+\/\d+)\s+\d+\s+\S+\s+\S+\s+(.*?)(?: -> .*| link to .*)?$/.exec(l);
          assert.ok(m !== null, l);
          return `${m[3]!} ${parsePerms(m[1]!)} ${m[2]!}`;
        })
        .filter((l) => !RUNTIME_PATHS.test(pathOf(l)))
        .sort();
    } finally {
      docker(['rm', '-f', '-v', cid]);
    }
    assert.deepEqual(ours.filter((l) => !RUNTIME_PATHS.test(pathOf(l))), theirs);
  });

  it("resolves the image's user names through the merged /etc/passwd and /etc/group", async () => {
    const store = await newStore();
    await store.load(legacyArchive);
    const id = (await store.inspect(tag))!.id;
    assert.deepEqual(await store.resolveUser(id, 'app'), { uid: 1234, gid: 2345, additionalGids: [3456] });
    assert.deepEqual(await store.resolveUser(id, 'app:extra'), { uid: 1234, gid: 3456, additionalGids: [] });
    assert.deepEqual(await store.resolveUser(id, '4000:4001'), { uid: 4000, gid: 4001, additionalGids: [] });
    assert.deepEqual(await store.resolveUser(id, undefined), { uid: 0, gid: 0, additionalGids: [3456] });
    await assert.rejects(store.resolveUser(id, 'ghost'), { message: 'unable to find user ghost: no matching entries in passwd file' });
  });
});

describe('image load: OCI layouts', { skip: skipWithoutDocker }, () => {
  it('loads a Docker 25+ save (OCI layout with manifest.json) and a plain OCI archive with a platform index', async () => {
    const parts = await legacyParts(legacyArchive, base, tag);
    const dockerId = docker(['image', 'inspect', '--format', '{{.Id}}', tag]).trim();
    const modern = join(base, 'modern.tar');
    await writeFile(modern, ociArchive(parts, { gzipLayers: false, dockerSave: true, name: 'docker.io/library/modern:1', nested: false }));
    const oci = join(base, 'oci.tar');
    await writeFile(oci, ociArchive(parts, { gzipLayers: true, dockerSave: false, name: 'registry.example/team/oci:2', nested: true }));

    const store = await newStore();
    assert.deepEqual(await store.load(modern), [{ id: dockerId, tags: ['docker.io/library/modern:1'] }]);
    assert.deepEqual(await store.load(oci), [{ id: dockerId, tags: ['registry.example/team/oci:2'] }]);
    const info = await store.inspect('registry.example/team/oci:2');
    assert.deepEqual(info?.repoTags, ['modern:1', 'registry.example/team/oci:2']);
    const rec = await store.files.readImage(dockerId);
    assert.equal(rec?.layers.length, 3);
    assert.equal(rec?.layers.every((l) => l.mediaType === 'application/vnd.oci.image.layer.v1.tar+gzip'), true);
  });

  it('refuses an OCI archive whose blob does not match its name', async () => {
    const bad = join(base, 'bad-oci.tar');
    const { buildTar } = await import('./image-tar-builder.js');
    await writeFile(bad, buildTar([{ path: `blobs/sha256/${'0'.repeat(64)}`, content: 'tampered' }, { path: 'index.json', content: '{"manifests":[]}' }]));
    const store = await newStore();
    await assert.rejects(store.load(bad), /^Error: corrupt archive: blobs\/sha256\/0{64} hashes to sha256:/);
  });
});

describe('image rm and prune', { skip: skipWithoutDocker }, () => {
  it('untags, deletes the image when the last tag goes, and collects unshared content', async () => {
    const store = await newStore();
    await store.load(legacyArchive);
    const id = (await store.inspect(tag))!.id;
    const busyboxId = (await store.inspect(BUSYBOX))!.id;
    await store.tag(tag, 'second:tag');
    await assert.rejects(store.remove(id, false), { message: `conflict: unable to delete ${id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories` });
    assert.deepEqual(await store.remove('second:tag', false), { untagged: ['second:tag'], deleted: [] });
    await assert.rejects(store.remove(tag, false, new Set([id])), /container is using its referenced image/);
    assert.deepEqual(await store.remove(tag, false), { untagged: [tag], deleted: [id] });
    assert.equal(await store.inspect(tag), undefined);
    const layerDirs = (await readdir(store.files.layersDir)).filter((n) => /^[0-9a-f]{64}$/.test(n));
    assert.deepEqual(layerDirs, (await store.chainIds(busyboxId)).map((c) => c.slice(7)));
    const blobs = await store.files.listBlobs();
    const rec = (await store.files.readImage(busyboxId))!;
    assert.deepEqual(blobs, [rec.configDigest, ...rec.layers.map((l) => l.blobDigest!)].sort());
    await assert.rejects(store.remove('nothing:here', false), { message: 'No such image: nothing:here' });
  });

  it('prunes dangling images, then unreferenced blobs and layers', async () => {
    const store = await newStore();
    await store.load(legacyArchive);
    const id = (await store.inspect(tag))!.id;
    // Re-tagging the image's only tag onto busybox leaves it dangling.
    await store.tag(BUSYBOX, tag);
    assert.deepEqual((await store.inspect(id))?.repoTags, []);
    const result = await store.prune();
    assert.deepEqual(result.images, [id]);
    assert.equal(result.layers.length, 2);
    assert.equal(await store.inspect(id), undefined);
    assert.equal((await store.prune()).blobs.length, 0);
  });
});
