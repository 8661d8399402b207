/**
 * The last steps shared by load and pull: unpack an image's layers (each once, in parallel)
 * and commit its record and tags to the index under the store lock.
 */
import { chainIds } from './digest.js';
import type { ImageConfigDoc } from './image-config.js';
import { unpackLayer } from './layer-unpack.js';
import type { ImageRecord, LayerRecord, StoreFiles } from './store.js';

export interface IngestLayer {
  blobDigest: string;
  mediaType?: string;
  blobSize: number;
}

/** Runs `fn` over `items` with at most `limit` in flight; rejects with the first failure. */
export async function boundedAll<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Layer records for a config and its layer blobs (same order as rootfs.diff_ids). */
export function layerRecords(config: ImageConfigDoc, layers: readonly IngestLayer[]): LayerRecord[] {
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== layers.length) throw new Error(`image config lists ${diffIds.length} layers, the manifest ${layers.length}`);
  const chains = chainIds(diffIds);
  return layers.map((l, i) => ({
    diffId: diffIds[i]!,
    chainId: chains[i]!,
    blobDigest: l.blobDigest,
    blobSize: l.blobSize,
    ...(l.mediaType !== undefined ? { mediaType: l.mediaType } : {}),
  }));
}

export async function unpackOne(files: StoreFiles, layer: LayerRecord): Promise<void> {
  if (layer.blobDigest === undefined) throw new Error(`layer ${layer.diffId} has no blob`);
  await unpackLayer(files.layersDir, layer.chainId, layer.diffId, files.blobPath(layer.blobDigest));
}

export function createdSeconds(config: ImageConfigDoc): number {
  const t = config.created !== undefined ? Date.parse(config.created) : NaN;
  return Number.isFinite(t) ? Math.floor(t / 1000) : 0;
}

/**
 * Writes the image record and points `tags` and `repoDigests` at it, atomically and under the
 * lock. A tag moved away from another image leaves that image untagged (dangling), as Docker does.
 */
export async function commitImage(files: StoreFiles, rec: ImageRecord, tags: readonly string[], repoDigests: readonly string[]): Promise<ImageRecord> {
  return files.locked(async () => {
    const index = await files.readIndex();
    const previous = await files.readImage(rec.id);
    const merged: ImageRecord = {
      ...rec,
      repoTags: [...new Set([...(previous?.repoTags ?? []), ...tags])].sort(),
      repoDigests: [...new Set([...(previous?.repoDigests ?? []), ...repoDigests])].sort(),
    };
    const moved = new Set<string>();
    for (const tag of tags) {
      const old = index.tags[tag];
      if (old !== undefined && old !== rec.id) moved.add(old);
      index.tags[tag] = rec.id;
    }
    for (const d of repoDigests) index.digests[d] = rec.id;
    await files.writeImage(merged);
    for (const oldId of [...moved].sort()) {
      const old = await files.readImage(oldId);
      if (old !== undefined) await files.writeImage({ ...old, repoTags: old.repoTags.filter((t) => index.tags[t] === oldId) });
    }
    await files.writeIndex(index);
    return merged;
  });
}
