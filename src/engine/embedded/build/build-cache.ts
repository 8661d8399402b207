/**
 * The build cache: one small JSON file per step under `<image store>/build-cache/`, named by
 * the step's key (a hash chained from the base image id through every instruction, its
 * expanded inputs and the content of COPY sources) and holding the build state after the step.
 * An entry whose layer blobs are gone (pruned) is a miss.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../image/atomic-file.js';
import type { StoreFiles } from '../image/store.js';
import type { BuiltConfig } from './build-state.js';

export interface StateLayer {
  diffId: string;
  blobDigest: string;
  blobSize: number;
  mediaType?: string;
}

export interface CachedState {
  layers: StateLayer[];
  config: BuiltConfig;
}

export function chainKey(previous: string, ...parts: readonly string[]): string {
  const h = createHash('sha256').update(previous);
  for (const p of parts) h.update('\0').update(p);
  return h.digest('hex');
}

export class BuildCache {
  private readonly dir: string;

  constructor(private readonly files: StoreFiles, private readonly enabled: boolean) {
    this.dir = join(files.root, 'build-cache');
  }

  async get(key: string): Promise<CachedState | undefined> {
    if (!this.enabled) return undefined;
    let entry: CachedState;
    try {
      entry = JSON.parse(await readFile(join(this.dir, `${key}.json`), 'utf8')) as CachedState;
    } catch {
      return undefined;
    }
    for (const l of entry.layers) if (!(await this.files.hasBlob(l.blobDigest))) return undefined;
    return entry;
  }

  /** Records the state even with the cache disabled (`noCache` skips lookups, as Docker's does, not writes). */
  async put(key: string, state: CachedState): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeJsonAtomic(join(this.dir, `${key}.json`), state);
  }
}
