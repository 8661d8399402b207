/**
 * `berth image pull`: manifest (choosing a platform from an index), config, then layers
 * fetched and unpacked in parallel with progress events, each verified against its digest.
 */
import type { ProgressListener } from '../../engine.js';
import { parseConfig } from './image-config.js';
import { boundedAll, commitImage, createdSeconds, layerRecords, unpackOne } from './ingest.js';
import { checkLayerMediaType, formatPlatform, parseManifest, selectPlatform } from './manifest.js';
import type { Descriptor, Platform } from './manifest.js';
import { canonicalTag, familiar, repositoryName } from './reference.js';
import type { ImageReference } from './reference.js';
import { RegistryClient } from './registry-client.js';
import type { ImageRecord, StoreFiles } from './store.js';

export interface PullOptions {
  platform: Platform;
  insecureRegistries: readonly string[];
  dockerConfigPath?: string;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** Layers downloaded at once (default 3, as dockerd). */
  concurrency?: number;
  fetch?: typeof fetch;
}

function shortId(digest: string): string {
  return digest.slice('sha256:'.length, 'sha256:'.length + 12);
}

async function fetchBlob(files: StoreFiles, client: RegistryClient, repo: string, desc: Descriptor, onBytes?: (n: number) => void, signal?: AbortSignal): Promise<boolean> {
  if (await files.hasBlob(desc.digest)) return false;
  const { body } = await client.getBlob(repo, desc.digest, signal);
  await files.writeBlob(body, { digest: desc.digest, size: desc.size }, onBytes);
  return true;
}

async function storeManifest(files: StoreFiles, bytes: Buffer, digest: string): Promise<void> {
  if (!(await files.hasBlob(digest))) await files.writeBlob(bytes, { digest });
}

export async function pullImage(files: StoreFiles, ref: ImageReference, opts: PullOptions): Promise<ImageRecord> {
  const display = familiar(ref.digest !== undefined ? `${repositoryName(ref)}@${ref.digest}` : (canonicalTag(ref) ?? repositoryName(ref)));
  const emit = (status: string, extra: { layer?: string; current?: number; total?: number } = {}): void => opts.onProgress?.({ kind: 'pull', image: display, status, ...extra });
  const client = new RegistryClient({
    domain: ref.domain,
    insecureRegistries: opts.insecureRegistries,
    ...(opts.dockerConfigPath !== undefined ? { dockerConfigPath: opts.dockerConfigPath } : {}),
    ...(opts.fetch !== undefined ? { fetch: opts.fetch } : {}),
  });
  return files.leased(async () => {
    emit(ref.digest !== undefined ? `Pulling from ${familiar(repositoryName(ref))}` : `Pulling from ${familiar(repositoryName(ref))}, tag ${ref.tag ?? 'latest'}`);
    const top = await client.getManifest(ref.path, ref.digest ?? ref.tag ?? 'latest', opts.signal);
    await storeManifest(files, top.bytes, top.digest);
    let parsed = parseManifest(top.bytes, top.mediaType);
    let manifestDigest = top.digest;
    let indexDigest: string | undefined;
    if (parsed.kind === 'index') {
      indexDigest = top.digest;
      const chosen = selectPlatform(parsed.manifests, opts.platform);
      const m = await client.getManifest(ref.path, chosen.digest, opts.signal);
      await storeManifest(files, m.bytes, m.digest);
      parsed = parseManifest(m.bytes, m.mediaType);
      manifestDigest = m.digest;
      if (parsed.kind !== 'manifest') throw new Error(`manifest ${m.digest} for ${formatPlatform(opts.platform)} is itself an index`);
    }
    const manifest = parsed;
    for (const l of manifest.layers) checkLayerMediaType(l.mediaType);
    await fetchBlob(files, client, ref.path, manifest.config, undefined, opts.signal);
    const config = parseConfig(await files.readBlob(manifest.config.digest));
    if (config.os !== undefined && config.architecture !== undefined && (config.os !== opts.platform.os || config.architecture !== opts.platform.architecture) && indexDigest !== undefined) {
      throw new Error(`image platform ${config.os}/${config.architecture} does not match the requested ${formatPlatform(opts.platform)}`);
    }
    const layers = layerRecords(
      config,
      manifest.layers.map((l) => ({ blobDigest: l.digest, blobSize: l.size, mediaType: l.mediaType })),
    );
    for (const l of manifest.layers) emit('Pulling fs layer', { layer: shortId(l.digest) });
    await boundedAll(manifest.layers, opts.concurrency ?? 3, async (desc, i) => {
      const layer = shortId(desc.digest);
      let lastReport = 0;
      const downloaded = await fetchBlob(
        files,
        client,
        ref.path,
        desc,
        (current) => {
          // Throttled: one event per 256 KiB keeps renderers cheap on big layers.
          if (current - lastReport >= 262144 || current === desc.size) {
            lastReport = current;
            emit('Downloading', { layer, current, total: desc.size });
          }
        },
        opts.signal,
      );
      emit(downloaded ? 'Download complete' : 'Already exists', { layer });
      emit('Extracting', { layer });
      await unpackOne(files, layers[i]!);
      emit('Pull complete', { layer });
    });
    const repoDigest = `${repositoryName(ref)}@${indexDigest ?? manifestDigest}`;
    const tag = canonicalTag(ref);
    const rec: ImageRecord = {
      id: manifest.config.digest,
      configDigest: manifest.config.digest,
      manifestDigest,
      ...(indexDigest !== undefined ? { indexDigest } : {}),
      repoTags: [],
      repoDigests: [],
      layers,
      created: createdSeconds(config),
      size: manifest.layers.reduce((n, l) => n + l.size, 0),
    };
    const committed = await commitImage(files, rec, tag !== undefined && ref.digest === undefined ? [tag] : [], [repoDigest]);
    emit(`Digest: ${indexDigest ?? manifestDigest}`);
    return committed;
  });
}
