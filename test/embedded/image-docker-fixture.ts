/**
 * Real image archives for the image-store tests, made with the test Docker daemon: a 3-layer
 * image (base busybox + a layer that adds files + a layer with a deletion and an opaque dir),
 * its `docker save` (legacy layout), and the same image rewritten as a Docker 25+ OCI-layout
 * save and as a plain OCI archive.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BASE_IMAGE, ensureBaseImage, testEngine } from '../helpers/docker.js';
import { buildTar, gzip, sha256 } from './image-tar-builder.js';
import type { TestTarEntry } from './image-tar-builder.js';

/** The tests' offline busybox image (built by the shared helper when missing). */
export const BUSYBOX = BASE_IMAGE;

export const DOCKERFILE = `FROM ${BUSYBOX}
RUN mkdir -p /opq/sub && echo a > /opq/a && echo b > /opq/sub/b && echo gone > /deleted-later && \\
    echo 'app:x:1234:2345::/home/app:/bin/sh' >> /etc/passwd && \\
    echo 'grp:x:2345:' >> /etc/group && echo 'extra:x:3456:root,app' >> /etc/group
RUN rm /deleted-later && rm -rf /opq && mkdir /opq && echo c > /opq/c
ENV GREETING=hi
WORKDIR /opq
USER app
EXPOSE 8080/tcp 53/udp
VOLUME /data
STOPSIGNAL SIGINT
HEALTHCHECK --interval=5s --timeout=2s --retries=4 CMD test -f /opq/c
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["echo hello"]
LABEL org.example.kind=test
`;

export function docker(args: string[], input?: string): string {
  return execFileSync('docker', args, { encoding: 'utf8', env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: ['pipe', 'pipe', 'pipe'], ...(input !== undefined ? { input } : {}), maxBuffer: 64 << 20 });
}

/** Fails (never skips) with a clear message when no daemon answers; makes sure the base image exists. */
export async function requireDocker(): Promise<void> {
  const engine = await testEngine();
  try {
    await ensureBaseImage(engine);
  } finally {
    await engine.close();
  }
}

export async function buildTestImage(dir: string): Promise<string> {
  const tag = `berth-imgtest-${process.pid}-${randomBytes(3).toString('hex')}:v1`;
  const ctx = join(dir, 'ctx');
  await mkdir(ctx, { recursive: true });
  await writeFile(join(ctx, 'Dockerfile'), DOCKERFILE);
  docker(['build', '-q', '-t', tag, ctx]);
  return tag;
}

interface Parts {
  config: Buffer;
  layers: Buffer[];
  repoTags: string[];
}

/**
 * Config and layer tars of the image tagged `tag` in a legacy `docker save` archive (the
 * order of manifest.json entries is not stable across saves).
 */
export async function legacyParts(archive: string, dir: string, tag: string): Promise<Parts> {
  const out = join(dir, 'legacy-x');
  await mkdir(out, { recursive: true });
  execFileSync('tar', ['-xf', archive, '-C', out]);
  const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Array<{ Config: string; RepoTags: string[]; Layers: string[] }>;
  const first = manifest.find((m) => m.RepoTags.includes(tag));
  if (first === undefined) throw new Error(`${archive} has no image tagged ${tag}`);
  return { config: await readFile(join(out, first.Config)), layers: await Promise.all(first.Layers.map((l) => readFile(join(out, l)))), repoTags: first.RepoTags };
}

function blobEntry(data: Buffer): TestTarEntry {
  return { path: `blobs/sha256/${sha256(data).slice(7)}`, content: data };
}

/**
 * An OCI image layout as a tar. `dockerSave` adds Docker 25+'s manifest.json (paths into
 * blobs/); `nested` wraps the manifest in a platform index (amd64 + arm64 variants).
 */
export function ociArchive(p: Parts, opts: { gzipLayers: boolean; dockerSave: boolean; name?: string; nested: boolean }): Buffer {
  const layerBlobs = p.layers.map((l) => (opts.gzipLayers ? gzip(l) : l));
  const layerType = opts.gzipLayers ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar';
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(p.config), size: p.config.length },
      layers: layerBlobs.map((b) => ({ mediaType: layerType, digest: sha256(b), size: b.length })),
    }),
  );
  const entries: TestTarEntry[] = [{ path: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' }, blobEntry(p.config), ...layerBlobs.map(blobEntry), blobEntry(manifest)];
  const annotations = opts.name !== undefined ? { 'io.containerd.image.name': opts.name, 'org.opencontainers.image.ref.name': opts.name.split(':').pop()! } : undefined;
  let top = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(manifest), size: manifest.length };
  if (opts.nested) {
    const other = Buffer.from('{"schemaVersion":2,"config":{"digest":"sha256:' + '0'.repeat(64) + '","size":1},"layers":[]}');
    const nested = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(other), size: other.length, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
          { ...top, platform: { os: 'linux', architecture: 'amd64' } },
        ],
      }),
    );
    entries.push(blobEntry(other), blobEntry(nested));
    top = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha256(nested), size: nested.length };
  }
  entries.push({ path: 'index.json', content: JSON.stringify({ schemaVersion: 2, manifests: [{ ...top, ...(annotations !== undefined ? { annotations } : {}) }] }) });
  if (opts.dockerSave) {
    const manifestJson = [{ Config: `blobs/sha256/${sha256(p.config).slice(7)}`, RepoTags: opts.name !== undefined ? [opts.name] : [], Layers: layerBlobs.map((b) => `blobs/sha256/${sha256(b).slice(7)}`) }];
    entries.push({ path: 'manifest.json', content: JSON.stringify(manifestJson) });
  }
  return buildTar(entries);
}
