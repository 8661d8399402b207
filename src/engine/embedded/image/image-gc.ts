/**
 * Garbage collection of content no image references: blobs and unpacked layers. Content a
 * running ingest may be about to reference (written or touched since the oldest live lease
 * began) is kept; so are layers the caller says are in use (container snapshots).
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanIncompleteLayers } from './layer-unpack.js';
import { processAlive } from './store-lock.js';
import type { StoreFiles } from './store.js';

export interface GcResult {
  blobs: string[];
  layers: string[];
  /** Bytes of blobs removed. */
  reclaimed: number;
}

/** Clock slack between a lease's mtime and the content it protects. */
const SLACK_MS = 2000;

export async function collectGarbage(files: StoreFiles, layersInUse: ReadonlySet<string> = new Set()): Promise<GcResult> {
  return files.locked(async () => {
    const lease = await files.oldestLiveLease();
    const protectedSince = lease === undefined ? Infinity : lease - SLACK_MS;
    const images = await files.listImages();
    const index = await files.readIndex();
    const blobs = new Set<string>();
    const chains = new Set<string>(layersInUse);
    for (const img of images) {
      blobs.add(img.configDigest);
      if (img.manifestDigest !== undefined) blobs.add(img.manifestDigest);
      if (img.indexDigest !== undefined) blobs.add(img.indexDigest);
      for (const l of img.layers) {
        chains.add(l.chainId);
        if (l.blobDigest !== undefined) blobs.add(l.blobDigest);
      }
    }
    for (const [name] of Object.entries(index.digests)) blobs.add(name.slice(name.lastIndexOf('@') + 1));

    const result: GcResult = { blobs: [], layers: [], reclaimed: 0 };
    for (const digest of await files.listBlobs()) {
      if (blobs.has(digest)) continue;
      const st = await stat(files.blobPath(digest)).catch(() => undefined);
      if (st === undefined || st.mtimeMs >= protectedSince) continue;
      await files.removeBlob(digest);
      result.blobs.push(digest);
      result.reclaimed += st.size;
    }
    if (lease === undefined) await cleanIncompleteLayers(files.layersDir);
    for (const dir of [files.blobsDir, files.imagesDir, files.root]) await removeDeadTempFiles(dir);
    for (const name of (await readdir(files.layersDir)).sort()) {
      if (!/^[0-9a-f]{64}$/.test(name) || chains.has(`sha256:${name}`)) continue;
      const st = await stat(join(files.layersDir, name)).catch(() => undefined);
      if (st === undefined || st.mtimeMs >= protectedSince) continue;
      await rm(join(files.layersDir, name), { recursive: true, force: true });
      result.layers.push(`sha256:${name}`);
    }
    return result;
  });
}

/** Temp files (`.tmp-<name>-<pid>-<rand>`, see atomic-file.ts) of processes that died mid-write. */
async function removeDeadTempFiles(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const m = /^\.tmp-.*-(\d+)-[0-9a-f]{8}$/.exec(name);
    if (m !== null && !processAlive(parseInt(m[1]!, 10))) await rm(join(dir, name), { force: true });
  }
}
