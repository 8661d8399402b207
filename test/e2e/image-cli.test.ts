/**
 * `berth image …` as a user runs it: the built CLI on a temp BERTH_ROOT, importing a busybox
 * rootfs, loading a `docker save` archive, pulling from Debian's docker-registry on 127.0.0.1,
 * and listing, tagging, inspecting, removing and pruning what is there.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { embeddedPaths } from '../../src/engine/embedded/paths.js';
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { repo } from '../helpers/berth-cli.js';
import type { Run } from '../helpers/berth-cli.js';
import { makeImage, pushImage, startRegistry } from '../embedded/image-registry-fixture.js';
import type { RunningRegistry } from '../embedded/image-registry-fixture.js';
import { buildTar } from '../embedded/image-tar-builder.js';

let base = '';
let rootfsTar = '';
let roots = 0;
let registry: RunningRegistry | undefined;

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A fresh engine root per test, so tests see only their own images. */
function newRoot(): string {
  roots += 1;
  const root = join(base, `root${roots}`);
  usedRoots.push(root);
  return root;
}
const usedRoots: string[] = [];

function berthIn(root: string, args: string[], input: Buffer | string = '', extra: { uid?: number } = {}): Promise<Run> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: base, NO_COLOR: '1', BERTH_ROOT: root };
  const child = spawn(process.execPath, [join(repo, 'bin', 'berth'), ...args], { cwd: base, env, stdio: ['pipe', 'pipe', 'pipe'], ...(extra.uid !== undefined ? { uid: extra.uid, gid: extra.uid } : {}) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.on('error', () => undefined);
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function ok(root: string, args: string[], input?: Buffer | string): Promise<string> {
  const r = await berthIn(root, args, input);
  assert.equal(r.code, 0, `berth ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

interface JsonRow { ID: string; Repository: string; Tag: string; Digest: string; Size: number }

async function listJson(root: string): Promise<Array<[string, string, string]>> {
  return (JSON.parse(await ok(root, ['image', 'ls', '--format', 'json'])) as JsonRow[]).map((r) => [r.Repository, r.Tag, r.ID]);
}

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'berth-image-cli-'));
  const rootfs = join(base, 'rootfs');
  await mkdir(join(rootfs, 'bin'), { recursive: true });
  await mkdir(join(rootfs, 'etc'));
  await copyFile('/bin/busybox', join(rootfs, 'bin/busybox'));
  for (const applet of ['sh', 'echo', 'cat']) await symlink('busybox', join(rootfs, 'bin', applet));
  await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  rootfsTar = join(base, 'rootfs.tar');
  execFileSync('tar', ['-C', rootfs, '-cf', rootfsTar, '.']);
  registry = await startRegistry(join(base, 'registry'), { htpasswd: false });
});

after(async () => {
  await registry?.stop();
  // Each root also has per-boot files under /run/berth.
  for (const root of usedRoots) await rm(embeddedPaths(root).run, { recursive: true, force: true });
  await rm(base, { recursive: true, force: true });
});

describe('berth image import, ls, inspect, tag, rm', () => {
  it('imports a busybox rootfs with changes and shows it in ls (table, json, -q) and inspect', async () => {
    const root = newRoot();
    const id = (await ok(root, ['image', 'import', '-c', 'ENV GREETING="hello world"', '-c', 'CMD ["sh"]', '-c', 'WORKDIR /srv', '-c', 'EXPOSE 8080', rootfsTar, 'local/busybox:v1'])).trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const table = (await ok(root, ['image', 'ls'])).split('\n');
    assert.match(table[0]!, /^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$/);
    assert.match(table[1]!, new RegExp(`^local/busybox +v1 +${id.slice(7, 19)} +(Less than a second|\\d+ seconds?) ago +\\d+(\\.\\d+)?[kM]B$`));
    assert.equal(table.length, 3);
    assert.deepEqual(await listJson(root), [['local/busybox', 'v1', id]]);
    assert.equal(await ok(root, ['image', 'ls', '-q']), `${id.slice(7, 19)}\n`);

    const [doc] = JSON.parse(await ok(root, ['image', 'inspect', 'local/busybox:v1'])) as Array<Record<string, unknown>>;
    assert.equal(doc!.Id, id);
    assert.deepEqual(doc!.RepoTags, ['local/busybox:v1']);
    assert.deepEqual(doc!.Config, { Env: ['GREETING=hello world'], Cmd: ['sh'], WorkingDir: '/srv', ExposedPorts: { '8080/tcp': {} } });
    assert.equal(doc!.Comment, `Imported from ${rootfsTar}`);
    assert.equal(doc!.Os, 'linux');
  });

  it('imports gzip from standard input untagged, tags it, and removes tags then the image', async () => {
    const root = newRoot();
    const { readFile } = await import('node:fs/promises');
    const id = (await ok(root, ['image', 'import', '-'], gzipSync(await readFile(rootfsTar)))).trim();
    assert.deepEqual(await listJson(root), [['<none>', '<none>', id]]);
    assert.equal(await ok(root, ['image', 'tag', id.slice(7, 15), 'one']), '');
    await ok(root, ['image', 'tag', 'one', 'registry.example:5000/two:x']);
    assert.deepEqual(await listJson(root), [['one', 'latest', id], ['registry.example:5000/two', 'x', id]]);

    const multi = await berthIn(root, ['image', 'rm', id]);
    assert.equal(multi.code, 1);
    assert.equal(multi.stderr, `error: conflict: unable to delete ${id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories\n`);
    assert.equal(await ok(root, ['image', 'rm', 'one']), 'Untagged: one:latest\n');
    assert.equal(await ok(root, ['image', 'rm', 'registry.example:5000/two:x']), `Untagged: registry.example:5000/two:x\nDeleted: ${id}\n`);
    assert.deepEqual(await listJson(root), []);
  });

  it('reports unknown images and missing files as errors (exit 1)', async () => {
    const root = newRoot();
    const inspect = await berthIn(root, ['image', 'inspect', 'nope:1']);
    assert.deepEqual([inspect.code, inspect.stdout, inspect.stderr], [1, '[]\n', 'error: No such image: nope:1\n']);
    const rmMissing = await berthIn(root, ['image', 'rm', 'nope']);
    assert.deepEqual([rmMissing.code, rmMissing.stderr], [1, 'error: No such image: nope\n']);
    const tag = await berthIn(root, ['image', 'tag', 'nope', 'other']);
    assert.deepEqual([tag.code, tag.stderr], [1, 'error: No such image: nope\n']);
    const load = await berthIn(root, ['image', 'load', '-i', join(base, 'missing.tar')]);
    assert.deepEqual([load.code, load.stderr], [1, `error: open ${join(base, 'missing.tar')}: no such file or directory\n`]);
    const imp = await berthIn(root, ['image', 'import', join(base, 'missing.tar')]);
    assert.deepEqual([imp.code, imp.stderr], [1, `error: open ${join(base, 'missing.tar')}: no such file or directory\n`]);
    const change = await berthIn(root, ['image', 'import', '-c', 'RUN true', rootfsTar]);
    assert.deepEqual([change.code, change.stderr], [1, 'error: invalid change "RUN true": only CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME and WORKDIR are supported\n']);
    const notTar = await berthIn(root, ['image', 'load'], 'not an archive');
    assert.equal(notTar.code, 1);
    assert.match(notTar.stderr, /^error: loading from stdin: /);
    assert.doesNotMatch(notTar.stderr, /\.tmp-load/);
  });

  it('needs root to change the store', async () => {
    const root = newRoot();
    const r = await berthIn(root, ['image', 'pull', 'busybox'], '', { uid: 65534 });
    assert.deepEqual([r.code, r.stderr], [1, 'error: the embedded engine needs root (rootless is not supported yet)\n']);
  });
});

describe('berth image prune', () => {
  it('removes dangling images, with -a unused ones, and keeps images embedded containers use', async () => {
    const root = newRoot();
    const used = (await ok(root, ['image', 'import', '-c', 'LABEL role=used', rootfsTar, 'used'])).trim();
    const unused = (await ok(root, ['image', 'import', '-c', 'LABEL role=unused', rootfsTar, 'unused'])).trim();
    const dangling = (await ok(root, ['image', 'import', '-c', 'LABEL role=dangling', rootfsTar])).trim();
    const container = join(root, 'containers', 'f'.repeat(64));
    await mkdir(container, { recursive: true });
    const [doc] = JSON.parse(await ok(root, ['image', 'inspect', used])) as Array<{ RootFS: { Layers: string[] } }>;
    await writeFile(join(container, 'config.json'), JSON.stringify({ id: 'f'.repeat(64), imageId: used, layerChainIds: doc!.RootFS.Layers }));

    // Only the config blob goes: the layer is shared with the other images.
    assert.match(await ok(root, ['image', 'prune', '-f']), new RegExp(`^Deleted Images:\ndeleted: ${dangling}\n\nTotal reclaimed space: \\d+B\n$`));
    const declined = await berthIn(root, ['image', 'prune', '-a'], 'n\n');
    assert.deepEqual([declined.code, declined.stdout], [0, '']);
    assert.equal(declined.stderr, 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue? [y/N] ');
    assert.match(await ok(root, ['image', 'prune', '-a'], 'y\n'), new RegExp(`^Deleted Images:\nuntagged: unused:latest\ndeleted: ${unused}\n\nTotal reclaimed space: \\d+B\n$`));
    assert.deepEqual(await listJson(root), [['used', 'latest', used]]);
    const rmUsed = await berthIn(root, ['image', 'rm', used]);
    assert.equal(rmUsed.code, 1);
    assert.match(rmUsed.stderr, /container is using its referenced image/);

    await rm(join(root, 'containers'), { recursive: true });
    const last = await ok(root, ['image', 'prune', '-a', '-f']);
    assert.match(last, new RegExp(`^Deleted Images:\nuntagged: used:latest\ndeleted: ${used}\n\nTotal reclaimed space: \\d+(\\.\\d+)?[kM]B\n$`));
    assert.deepEqual((await readdir(join(root, 'image', 'blobs', 'sha256'))).length, 0);
    assert.deepEqual(await readdir(join(root, 'image', 'layers')), []);
  });
});

describe('berth image load', () => {
  /** A legacy `docker save` archive with one tagged one-layer image. */
  function saveArchive(tag: string, file: string): { archive: Buffer; id: string } {
    const layer = buildTar([{ path: 'hello.txt', content: `${file}\n` }]);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', created: '2026-01-02T03:04:05Z', config: { Cmd: ['cat', '/hello.txt'] }, rootfs: { type: 'layers', diff_ids: [sha(layer)] } }));
    const layerPath = `${sha(layer).slice(7)}/layer.tar`;
    const manifest = JSON.stringify([{ Config: `${sha(config).slice(7)}.json`, RepoTags: [tag], Layers: [layerPath] }]);
    const archive = buildTar([
      { path: `${sha(config).slice(7)}.json`, content: config },
      { path: `${sha(layer).slice(7)}/`, type: 'dir' },
      { path: layerPath, content: layer },
      { path: 'manifest.json', content: manifest },
    ]);
    return { archive, id: sha(config) };
  }

  it('loads a docker save archive from -i, --input and standard input', async () => {
    const root = newRoot();
    const a = saveArchive('saved/one:v1', 'one');
    const b = saveArchive('saved/two:v2', 'two');
    await writeFile(join(base, 'one.tar'), a.archive);
    await writeFile(join(base, 'two.tar.gz'), gzipSync(b.archive));
    assert.equal(await ok(root, ['image', 'load', '-i', join(base, 'one.tar')]), 'Loaded image: saved/one:v1\n');
    assert.equal(await ok(root, ['image', 'load', '--input', join(base, 'two.tar.gz'), '-q']), '');
    assert.equal(await ok(root, ['image', 'load'], saveArchive('library/three:v3', 'three').archive), 'Loaded image: three:v3\n');
    assert.deepEqual((await listJson(root)).map(([r, t]) => `${r}:${t}`).sort(), ['saved/one:v1', 'saved/two:v2', 'three:v3']);
    const [doc] = JSON.parse(await ok(root, ['image', 'inspect', 'saved/one:v1'])) as Array<{ Id: string; Created: string }>;
    assert.deepEqual([doc!.Id, doc!.Created], [a.id, '2026-01-02T03:04:05Z']);
  });
});

describe('berth image pull', () => {
  it('pulls from a registry on 127.0.0.1 with per-layer progress, and quietly with -q', async () => {
    const root = newRoot();
    const img = makeImage('amd64', 'oci');
    const digest = await pushImage(registry!.host, 'test/pulled', 'v1', img);
    const ref = `${registry!.host}/test/pulled:v1`;
    const r = await berthIn(root, ['--progress', 'plain', 'image', 'pull', '--platform', 'linux/amd64', ref]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${ref}\n`);
    const lines = r.stderr.split('\n');
    assert.equal(lines[0], `Image ${ref}  Pulling`);
    for (const layer of img.manifest.layers as Array<{ digest: string }>) {
      const short = layer.digest.slice(7, 19);
      assert.deepEqual(lines.filter((l) => l.startsWith(`Image ${short}  `)), ['Pulling fs layer', 'Downloading', 'Download complete', 'Extracting', 'Pull complete'].map((s) => `Image ${short}  ${s}`));
    }
    assert.ok(lines.includes(`Image ${ref}  Digest: ${digest}`), r.stderr);
    assert.ok(lines.includes(`Image ${ref}  Pulled`), r.stderr);
    assert.deepEqual(await listJson(root), [[`${registry!.host}/test/pulled`, 'v1', img.configDigest]]);
    const rows = JSON.parse(await ok(root, ['image', 'ls', '--format', 'json'])) as JsonRow[];
    assert.equal(rows[0]!.Digest, digest);

    const quiet = await berthIn(newRoot(), ['image', 'pull', '-q', ref]);
    assert.deepEqual([quiet.code, quiet.stdout, quiet.stderr], [0, `${ref}\n`, '']);
    const json = await berthIn(newRoot(), ['--progress', 'json', 'image', 'pull', ref]);
    const events = json.stderr.trim().split('\n').map((l) => JSON.parse(l) as { type: string; status?: string });
    assert.deepEqual([events[0], events.at(-1)?.status], [{ type: 'resource', kind: 'image', name: ref, status: 'Pulling' }, 'Pulled']);
    const missing = await berthIn(newRoot(), ['--progress', 'quiet', 'image', 'pull', `${registry!.host}/test/pulled:nope`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: manifest 127\.0\.0\.1:\d+\/test\/pulled:nope not found/);
  });
});
