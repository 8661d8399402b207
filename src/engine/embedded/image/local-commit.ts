/**
 * Commits an image made on this host (a build, an imported rootfs): its config is stored as a
 * blob (the image id is its digest), its layer tars — already blobs — are unpacked once into the
 * layer store like pulled ones, and the record and tags are written under the store lock.
 */
import type { ImageConfigDoc } from './image-config.js';
import { boundedAll, commitImage, createdSeconds, layerRecords, unpackOne } from './ingest.js';
import type { IngestLayer } from './ingest.js';
import { canonicalTag, parseReference } from './reference.js';
import type { ImageRecord, StoreFiles } from './store.js';

/** Uncompressed layers: the blob digest is the diff id. */
export const LOCAL_LAYER_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar';

export async function commitLocalImage(files: StoreFiles, config: ImageConfigDoc, layers: readonly IngestLayer[], tags: readonly string[]): Promise<ImageRecord> {
  const canonical = tags.map((t) => {
    const tag = canonicalTag(parseReference(t));
    if (tag === undefined) throw new Error(`invalid tag ${t}`);
    return tag;
  });
  const stored = await files.writeBlob(Buffer.from(JSON.stringify(config), 'utf8'));
  const records = layerRecords(config, layers);
  await boundedAll(records, 4, (l) => unpackOne(files, l));
  const rec: ImageRecord = {
    id: stored.digest,
    configDigest: stored.digest,
    repoTags: [],
    repoDigests: [],
    layers: records,
    created: createdSeconds(config),
    size: records.reduce((n, l) => n + (l.blobSize ?? 0), 0),
  };
  return commitImage(files, rec, canonical, []);
}
