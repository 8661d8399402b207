/**
 * The on-disk image store under a root directory (BERTH_ROOT, given by the caller):
 *
 *   blobs/sha256/<hex>      manifests, configs, layer blobs, by digest (immutable)
 *   layers/<chain hex>/     unpacked layers (see layer-unpack.ts)
 *   images/<id hex>.json    one record per image
 *   repositories.json       tag and digest index → image id
 *   leases/<pid>-<rand>     running ingests (pull, load): protect fresh content from prune
 *   lock                    inter-process lock for index updates
 *
 * Every file is written to a temp file, fsync'd and renamed, so a crash leaves either the old
 * or the new content, never a torn file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, tempPathFor, writeJsonAtomic, writeTempFile } from './atomic-file.js';
import { assertDigest, digestHex } from './digest.js';
import { processAlive, withLock } from './store-lock.js';

export interface LayerRecord {
  /** Digest of the uncompressed tar. */
  diffId: string;
  chainId: string;
  /** Digest of the blob as distributed (compressed), when the store has it. */
  blobDigest?: string;
  mediaType?: string;
  /** Bytes of the blob. */
  blobSize?: number;
}

export interface ImageRecord {
  /** `sha256:<config digest hex>`, as Docker names images. */
  id: string;
  configDigest: string;
  /** The single-platform manifest, when the image came with one. */
  manifestDigest?: string;
  /** The index (manifest list) it was chosen from, when there was one. */
  indexDigest?: string;
  /** Canonical names (`docker.io/library/busybox:latest`). */
  repoTags: string[];
  /** Canonical `name@sha256:…` of the manifest (or index) it was pulled by. */
  repoDigests: string[];
  layers: LayerRecord[];
  /** Seconds since the epoch, from the config's `created`. */
  created: number;
  /** Sum of layer blob sizes. */
  size: number;
}

export interface RepositoryIndex {
  tags: Record<string, string>;
  digests: Record<string, string>;
}

export interface BlobWriteProgress {
  (bytes: number): void;
}

export class StoreFiles {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  get blobsDir(): string {
    return join(this.root, 'blobs', 'sha256');
  }
  get layersDir(): string {
    return join(this.root, 'layers');
  }
  get imagesDir(): string {
    return join(this.root, 'images');
  }
  get leasesDir(): string {
    return join(this.root, 'leases');
  }
  get indexPath(): string {
    return join(this.root, 'repositories.json');
  }

  async init(): Promise<void> {
    for (const dir of [this.blobsDir, this.layersDir, this.imagesDir, this.leasesDir]) await mkdir(dir, { recursive: true, mode: 0o700 });
  }

  blobPath(digest: string): string {
    return join(this.blobsDir, digestHex(digest));
  }

  /** Whether the blob is present; refreshes its mtime so a concurrent prune sees it as in use. */
  async hasBlob(digest: string): Promise<boolean> {
    const path = this.blobPath(digest);
    try {
      const now = new Date();
      await utimes(path, now, now);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Streams `source` into the store, hashing as it goes. With `expected`, the digest (and size)
   * must match or nothing is stored. Returns the digest and size written, and whether the
   * store had that blob already.
   */
  async writeBlob(source: AsyncIterable<Buffer> | Buffer, expected?: { digest: string; size?: number }, onBytes?: BlobWriteProgress): Promise<{ digest: string; size: number; existed: boolean }> {
    if (expected !== undefined) assertDigest(expected.digest);
    const tmp = tempPathFor(join(this.blobsDir, 'ingest'));
    const hash = createHash('sha256');
    let size = 0;
    await writeTempFile(tmp, 0o644, async (fh) => {
      const chunks = Buffer.isBuffer(source) ? [source] : source;
      for await (const chunk of chunks) {
        hash.update(chunk);
        size += chunk.length;
        await fh.write(chunk);
        onBytes?.(size);
      }
    });
    const digest = `sha256:${hash.digest('hex')}`;
    if (expected !== undefined && (digest !== expected.digest || (expected.size !== undefined && expected.size !== size))) {
      await rm(tmp, { force: true });
      throw new Error(`digest mismatch: expected ${expected.digest} (${expected.size ?? '?'} bytes), got ${digest} (${size} bytes)`);
    }
    const existed = await this.hasBlob(digest);
    await rename(tmp, this.blobPath(digest));
    await fsyncDir(this.blobsDir);
    return { digest, size, existed };
  }

  async readBlob(digest: string): Promise<Buffer> {
    return readFile(this.blobPath(digest));
  }

  async listBlobs(): Promise<string[]> {
    const names = await readdir(this.blobsDir);
    return names.filter((n) => /^[0-9a-f]{64}$/.test(n)).map((n) => `sha256:${n}`).sort();
  }

  async removeBlob(digest: string): Promise<void> {
    await rm(this.blobPath(digest), { force: true });
  }

  private imagePath(id: string): string {
    return join(this.imagesDir, `${digestHex(id)}.json`);
  }

  async readImage(id: string): Promise<ImageRecord | undefined> {
    try {
      return JSON.parse(await readFile(this.imagePath(id), 'utf8')) as ImageRecord;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async listImages(): Promise<ImageRecord[]> {
    const out: ImageRecord[] = [];
    for (const name of (await readdir(this.imagesDir)).sort()) {
      const m = /^([0-9a-f]{64})\.json$/.exec(name);
      if (m === null) continue;
      const rec = await this.readImage(`sha256:${m[1]!}`);
      if (rec !== undefined) out.push(rec);
    }
    return out;
  }

  async writeImage(rec: ImageRecord): Promise<void> {
    await writeJsonAtomic(this.imagePath(rec.id), rec);
  }

  async removeImage(id: string): Promise<void> {
    await rm(this.imagePath(id), { force: true });
    await fsyncDir(this.imagesDir);
  }

  async readIndex(): Promise<RepositoryIndex> {
    try {
      const parsed = JSON.parse(await readFile(this.indexPath, 'utf8')) as Partial<RepositoryIndex>;
      return { tags: parsed.tags ?? {}, digests: parsed.digests ?? {} };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { tags: {}, digests: {} };
      throw err;
    }
  }

  async writeIndex(index: RepositoryIndex): Promise<void> {
    const sorted = (r: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    await writeJsonAtomic(this.indexPath, { tags: sorted(index.tags), digests: sorted(index.digests) });
  }

  /** Runs `fn` holding the store lock (index and image records change only under it). */
  async locked<T>(fn: () => Promise<T>): Promise<T> {
    return withLock(join(this.root, 'lock'), fn);
  }

  /** Runs an ingest (pull, load) under a lease, so prune leaves its fresh content alone. */
  async leased<T>(fn: () => Promise<T>): Promise<T> {
    const path = join(this.leasesDir, `${process.pid}-${randomBytes(4).toString('hex')}`);
    await writeFile(path, `${Date.now()}\n`);
    try {
      return await fn();
    } finally {
      await rm(path, { force: true });
    }
  }

  /** Start time (ms) of the oldest live lease; stale leases of dead processes are removed. */
  async oldestLiveLease(): Promise<number | undefined> {
    let oldest: number | undefined;
    for (const name of await readdir(this.leasesDir)) {
      const path = join(this.leasesDir, name);
      const pid = parseInt(name.split('-')[0] ?? '', 10);
      if (!processAlive(pid)) {
        await rm(path, { force: true });
        continue;
      }
      const started = (await stat(path).catch(() => undefined))?.mtimeMs;
      if (started !== undefined && (oldest === undefined || started < oldest)) oldest = started;
    }
    return oldest;
  }
}
