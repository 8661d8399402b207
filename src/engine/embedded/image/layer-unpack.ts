/**
 * Unpacked layers, shared by every image that has them: `layers/<chain id hex>/` holds
 * `diff/` (overlay-native: usable directly as an overlay lowerdir), `meta.json` and `.done`.
 * A layer is extracted into a temp dir, synced, marked `.done` and renamed into place, so a
 * crash leaves either no layer or a complete one; a directory without `.done` is redone.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { digestHex } from './digest.js';
import { openTarFile } from './layer-compression.js';
import { processAlive } from './store-lock.js';
import { extractLayerTar } from './tar-extract.js';

const run = promisify(execFile);

export interface LayerMeta {
  chainId: string;
  diffId: string;
  /** Bytes of file content in the layer. */
  size: number;
  opaqueDirs: string[];
}

export function layerDir(layersDir: string, chainId: string): string {
  return join(layersDir, digestHex(chainId));
}

export function layerDiffDir(layersDir: string, chainId: string): string {
  return join(layerDir(layersDir, chainId), 'diff');
}

export async function readLayerMeta(layersDir: string, chainId: string): Promise<LayerMeta | undefined> {
  const dir = layerDir(layersDir, chainId);
  try {
    await readFile(join(dir, '.done'));
    return JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as LayerMeta;
  } catch {
    return undefined;
  }
}

async function* hashing(source: AsyncIterable<Buffer>, hash: ReturnType<typeof createHash>): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
}

/**
 * Unpacks the layer blob at `blobFile` (gzip or plain tar) as `chainId`, checking that the
 * uncompressed stream hashes to `diffId`. Returns at once when the layer is already complete.
 */
export async function unpackLayer(layersDir: string, chainId: string, diffId: string, blobFile: string): Promise<LayerMeta> {
  const done = await readLayerMeta(layersDir, chainId);
  if (done !== undefined) return done;
  const final = layerDir(layersDir, chainId);
  const tmp = join(layersDir, `.tmp-${digestHex(chainId).slice(0, 16)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const diff = join(tmp, 'diff');
  await mkdir(diff, { recursive: true });
  await chmod(diff, 0o755);
  try {
    const hash = createHash('sha256');
    const result = await extractLayerTar(hashing(await openTarFile(blobFile), hash), diff);
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== diffId) throw new Error(`layer ${diffId}: uncompressed content hashes to ${actual}`);
    const meta: LayerMeta = { chainId, diffId, size: result.size, opaqueDirs: result.opaqueDirs };
    await writeFile(join(tmp, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
    // syncfs(2) of the store's file system: the content must be durable before `.done` says so.
    await run('sync', ['-f', tmp]);
    await writeFile(join(tmp, '.done'), '');
    await run('sync', ['-f', tmp]);
    await placeLayer(tmp, final);
    return (await readLayerMeta(layersDir, chainId)) ?? meta;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

async function placeLayer(tmp: string, final: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await rename(tmp, final);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    }
    try {
      await readFile(join(final, '.done'));
      // Another process finished the same layer first: keep theirs.
      await rm(tmp, { recursive: true, force: true });
      return;
    } catch {
      await rm(final, { recursive: true, force: true });
    }
  }
  throw new Error(`could not place layer at ${final}`);
}

/** Removes temp dirs of dead extractions and layer dirs that never completed. */
export async function cleanIncompleteLayers(layersDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of (await readdir(layersDir)).sort()) {
    const m = /^\.tmp-[0-9a-f]+-(\d+)-[0-9a-f]+$/.exec(name);
    if (m !== null) {
      if (!processAlive(parseInt(m[1]!, 10))) {
        await rm(join(layersDir, name), { recursive: true, force: true });
        removed.push(name);
      }
      continue;
    }
    if (!/^[0-9a-f]{64}$/.test(name)) continue;
    try {
      await readFile(join(layersDir, name, '.done'));
    } catch {
      await rm(join(layersDir, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}
