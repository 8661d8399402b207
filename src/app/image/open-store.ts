/**
 * Opens the embedded engine's image store for the `berth image …` commands, with the settings
 * the embedded engine uses: BERTH_ROOT, BERTH_INSECURE_REGISTRIES and the Docker config file
 * for registry credentials.
 */
import { constants } from 'node:fs';
import { access, readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ROOT, embeddedPaths } from '../../engine/embedded/paths.js';
import { ImageStore } from '../../engine/embedded/image/image-store.js';
import type { ImageStoreOptions } from '../../engine/embedded/image/image-store.js';
import { UsageError } from '../../errors/diagnostic.js';

type Env = Readonly<Record<string, string | undefined>>;

export function engineRoot(env: Env): string {
  const root = env.BERTH_ROOT;
  return root !== undefined && root !== '' ? root : DEFAULT_ROOT;
}

/** The store options for an environment (no file system access). */
export function storeOptions(env: Env, home: string = homedir()): ImageStoreOptions {
  const insecure = (env.BERTH_INSECURE_REGISTRIES ?? '').split(/[\s,]+/).filter((s) => s !== '');
  const dockerConfigDir = env.DOCKER_CONFIG !== undefined && env.DOCKER_CONFIG !== '' ? env.DOCKER_CONFIG : join(env.HOME ?? home, '.docker');
  return {
    root: embeddedPaths(engineRoot(env)).storeRoot,
    insecureRegistries: insecure,
    dockerConfigPath: join(dockerConfigDir, 'config.json'),
  };
}

export interface OpenStoreOptions {
  /** The command changes the store (everything but ls and inspect). */
  write: boolean;
  /** The effective user id (default: this process's). */
  uid?: number;
}

export const NEEDS_ROOT = 'the embedded engine needs root (rootless is not supported yet)';

/**
 * The image store. Changing it needs root; listing works for anyone who can read it (the
 * store is root-only by default, so in practice root too).
 */
export async function openImageStore(env: Env, opts: OpenStoreOptions): Promise<ImageStore> {
  const options = storeOptions(env);
  const uid = opts.uid ?? process.getuid?.() ?? 0;
  if (uid !== 0) {
    if (opts.write) throw new UsageError(NEEDS_ROOT);
    const readable = await access(join(options.root, 'image'), constants.R_OK | constants.X_OK).then(() => true, () => false);
    if (!readable) throw new UsageError(`${NEEDS_ROOT}: cannot read the image store under ${options.root}`);
  }
  return ImageStore.open(options);
}

export interface StoreUsage {
  imagesInUse: Set<string>;
  layersInUse: Set<string>;
}

/**
 * Images and layers the embedded engine's containers use (`<root>/containers/<id>/config.json`),
 * so prune and rm leave them alone. A missing containers directory means none.
 */
export async function containersUsage(env: Env): Promise<StoreUsage> {
  const dir = embeddedPaths(engineRoot(env)).containers;
  const usage: StoreUsage = { imagesInUse: new Set(), layersInUse: new Set() };
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  for (const name of names.sort()) {
    let doc: unknown;
    try {
      doc = JSON.parse(await readFile(join(dir, name, 'config.json'), 'utf8'));
    } catch {
      // A container being created or removed right now has no (complete) record.
      continue;
    }
    if (typeof doc !== 'object' || doc === null) continue;
    const { imageId, layerChainIds } = doc as { imageId?: unknown; layerChainIds?: unknown };
    if (typeof imageId === 'string') usage.imagesInUse.add(imageId);
    if (Array.isArray(layerChainIds)) for (const l of layerChainIds) if (typeof l === 'string') usage.layersInUse.add(l);
  }
  return usage;
}
