/**
 * `berth image import` (Docker's `import`): a root file system tarball becomes a one-layer
 * image. The tar (gzip is undone first) is stored as the layer blob as it streams in, so its
 * digest is the layer's diff id; it is then unpacked like any pulled layer.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ImageConfigDoc } from './image-config.js';
import { commitImage } from './ingest.js';
import { unpackLayer } from './layer-unpack.js';
import { MEDIA } from './manifest.js';
import type { Platform } from './manifest.js';
import type { ImageRecord, StoreFiles } from './store.js';

/** The runtime config of the new image (`-c` changes), in the image config's own field names. */
export type ImportConfig = NonNullable<ImageConfigDoc['config']>;

export interface ImportRootfsOptions {
  /** Canonical tags (`docker.io/library/name:tag`). */
  tags: readonly string[];
  config: ImportConfig;
  platform: Platform;
  /** History comment; Docker writes `Imported from <source>`. */
  comment?: string;
  created?: Date;
}

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];

function startsWith(chunk: Buffer, magic: readonly number[]): boolean {
  return chunk.length >= magic.length && magic.every((b, i) => chunk[i] === b);
}

/** The tar bytes of `source`, gunzipped when it is gzip; zstd is refused. */
async function* plainTar(source: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done === true) return;
  const head = Buffer.from(first.value);
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (let next = await it.next(); next.done !== true; next = await it.next()) yield Buffer.from(next.value);
  }
  if (startsWith(head, ZSTD)) throw new Error('zstd-compressed archives are not supported; use a plain or gzip-compressed tar');
  if (startsWith(head, GZIP)) {
    const gunzip = Readable.from(all()).pipe(createGunzip());
    for await (const chunk of gunzip) yield chunk as Buffer;
    return;
  }
  yield* all();
}

/** Imports the tar in `tar` as a new image; returns its id (`sha256:…`). */
export async function importRootfs(files: StoreFiles, tar: AsyncIterable<Buffer | string>, opts: ImportRootfsOptions): Promise<string> {
  return files.leased(async () => {
    const blob = await files.writeBlob(plainTar(tar));
    if (blob.size === 0) {
      if (!blob.existed) await files.removeBlob(blob.digest);
      throw new Error('the archive to import is empty');
    }
    const diffId = blob.digest;
    try {
      await unpackLayer(files.layersDir, diffId, diffId, files.blobPath(diffId));
    } catch (err) {
      if (!blob.existed) await files.removeBlob(diffId);
      throw err;
    }
    const created = (opts.created ?? new Date()).toISOString();
    const comment = opts.comment ?? 'Imported from -';
    const configDoc = {
      architecture: opts.platform.architecture,
      ...(opts.platform.variant !== undefined ? { variant: opts.platform.variant } : {}),
      os: opts.platform.os,
      created,
      comment,
      config: opts.config,
      history: [{ created, comment }],
      rootfs: { type: 'layers', diff_ids: [diffId] },
    };
    const config = await files.writeBlob(Buffer.from(JSON.stringify(configDoc)));
    const rec: ImageRecord = {
      id: config.digest,
      configDigest: config.digest,
      repoTags: [],
      repoDigests: [],
      layers: [{ diffId, chainId: diffId, blobDigest: diffId, blobSize: blob.size, mediaType: MEDIA.ociLayer }],
      created: Math.floor(Date.parse(created) / 1000),
      size: blob.size,
    };
    await commitImage(files, rec, opts.tags, []);
    return rec.id;
  });
}
