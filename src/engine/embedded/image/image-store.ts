/**
 * The embedded engine's image store: load, pull, list, inspect, remove, prune, and the
 * layer directories a container's overlay mount stacks. State lives under `root`
 * (BERTH_ROOT, default /var/lib/berth — chosen by the caller, never read from the env here).
 */
import { arch as hostArch } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '../../engine-error.js';
import type { ImageInfo, ProgressListener } from '../../engine.js';
import type { LoadedImage } from './archive-load.js';
import { commitImage } from './ingest.js';
import type { IngestLayer } from './ingest.js';
import { collectGarbage } from './image-gc.js';
import type { GcResult } from './image-gc.js';
import { imageInfoConfig, parseConfig, resolveUser } from './image-config.js';
import type { ImportConfig } from './import-rootfs.js';
import type { ImageConfigDoc, LayerView, ResolvedUser } from './image-config.js';
import { layerDiffDir, readLayerMeta } from './layer-unpack.js';
import { parsePlatform } from './manifest.js';
import type { Platform } from './manifest.js';
import { canonicalTag, familiar, parseReference, repositoryName } from './reference.js';
import { StoreFiles } from './store.js';
import type { ImageRecord } from './store.js';

export interface ImageStoreOptions {
  root: string;
  /** BERTH_INSECURE_REGISTRIES, split; loopback registries are always insecure. */
  insecureRegistries?: readonly string[];
  /** `~/.docker/config.json`, for registry credentials. */
  dockerConfigPath?: string;
  /** Default platform (`linux/amd64`); the host's architecture when absent. */
  platform?: string;
  fetch?: typeof fetch;
}

export interface RemoveResult {
  untagged: string[];
  deleted: string[];
}

export interface PruneResult extends GcResult {
  images: string[];
}

export function hostPlatform(): Platform {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return { os: 'linux', architecture: map[hostArch()] ?? hostArch() };
}

export class ImageStore {
  readonly files: StoreFiles;
  private readonly platform: Platform;
  private readonly users = new Map<string, Promise<ResolvedUser>>();

  private constructor(private readonly opts: ImageStoreOptions) {
    this.files = new StoreFiles(join(opts.root, 'image'));
    this.platform = opts.platform !== undefined ? parsePlatform(opts.platform) : hostPlatform();
  }

  static async open(opts: ImageStoreOptions): Promise<ImageStore> {
    const store = new ImageStore(opts);
    await store.files.init();
    return store;
  }

  async load(archivePath: string): Promise<LoadedImage[]> {
    // Loaded on demand, like pull and import: container commands never need them.
    const { loadArchive } = await import('./archive-load.js');
    return loadArchive(this.files, archivePath, this.platform);
  }

  async pull(ref: string, opts: { platform?: string; onProgress?: ProgressListener; signal?: AbortSignal } = {}): Promise<ImageInfo> {
    const { pullImage } = await import('./image-pull.js');
    const rec = await pullImage(this.files, parseReference(ref), {
      platform: opts.platform !== undefined ? parsePlatform(opts.platform) : this.platform,
      insecureRegistries: this.opts.insecureRegistries ?? [],
      ...(this.opts.dockerConfigPath !== undefined ? { dockerConfigPath: this.opts.dockerConfigPath } : {}),
      ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}),
      ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
      ...(this.opts.fetch !== undefined ? { fetch: this.opts.fetch } : {}),
    });
    return this.info(rec, await this.files.readIndex());
  }

  /** The record for a name, `name:tag`, `name@digest`, full id or unique id prefix. */
  async resolve(ref: string): Promise<ImageRecord | undefined> {
    return (await this.lookup(ref))?.rec;
  }

  /** Like resolve, with the index key when `ref` matched as a reference (not as an id). */
  private async lookup(ref: string): Promise<{ rec: ImageRecord; key?: string } | undefined> {
    const index = await this.files.readIndex();
    try {
      const parsed = parseReference(ref);
      const key = parsed.digest !== undefined ? `${repositoryName(parsed)}@${parsed.digest}` : canonicalTag(parsed);
      const id = key === undefined ? undefined : parsed.digest !== undefined ? index.digests[key] : index.tags[key];
      const rec = id !== undefined ? await this.files.readImage(id) : undefined;
      if (rec !== undefined && key !== undefined) return { rec, key };
    } catch {
      // Not a reference (e.g. `sha256:…`): try ids below.
    }
    const m = /^(?:sha256:)?([0-9a-f]{1,64})$/.exec(ref);
    if (m === null) return undefined;
    const matches = (await this.files.listImages()).filter((img) => img.id.slice('sha256:'.length).startsWith(m[1]!));
    if (matches.length > 1) throw new EngineError('conflict', 'inspect image', ref, `image id prefix ${ref} is ambiguous`);
    return matches[0] === undefined ? undefined : { rec: matches[0] };
  }

  private async info(rec: ImageRecord, index: { tags: Record<string, string>; digests: Record<string, string> }): Promise<ImageInfo> {
    const config = parseConfig(await this.files.readBlob(rec.configDigest));
    const tags = Object.entries(index.tags).filter(([, id]) => id === rec.id).map(([t]) => familiar(t)).sort();
    const digests = Object.entries(index.digests).filter(([, id]) => id === rec.id).map(([d]) => familiar(d)).sort();
    return { id: rec.id, repoTags: tags, repoDigests: digests, labels: { ...(config.config?.Labels ?? {}) }, created: rec.created, size: rec.size, config: imageInfoConfig(config) };
  }

  async inspect(ref: string): Promise<ImageInfo | undefined> {
    const rec = await this.resolve(ref);
    return rec === undefined ? undefined : this.info(rec, await this.files.readIndex());
  }

  async list(): Promise<ImageInfo[]> {
    const index = await this.files.readIndex();
    const out: ImageInfo[] = [];
    for (const rec of await this.files.listImages()) out.push(await this.info(rec, index));
    return out.sort((a, b) => b.created - a.created || (a.id < b.id ? -1 : 1));
  }

  async tag(ref: string, newTag: string): Promise<void> {
    const rec = await this.resolve(ref);
    if (rec === undefined) throw new EngineError('not-found', 'tag image', ref, `No such image: ${ref}`);
    const tag = canonicalTag(parseReference(newTag));
    if (tag === undefined) throw new EngineError('failed', 'tag image', newTag, `invalid tag ${newTag}`);
    await commitImage(this.files, rec, [tag], []);
  }

  /**
   * Docker's `rmi`: a tag reference untags, and the image goes when nothing names it any more;
   * an id with several tags needs `force`. `inUse` (image ids of containers) blocks deletion.
   */
  async remove(ref: string, force: boolean, inUse: ReadonlySet<string> = new Set()): Promise<RemoveResult> {
    const found = await this.lookup(ref);
    if (found === undefined) throw new EngineError('not-found', 'remove image', ref, `No such image: ${ref}`);
    const { rec, key } = found;
    const short = rec.id.slice('sha256:'.length, 'sha256:'.length + 12);
    const result = await this.files.locked(async () => {
      const index = await this.files.readIndex();
      const tags = Object.keys(index.tags).filter((t) => index.tags[t] === rec.id).sort();
      const digests = Object.keys(index.digests).filter((d) => index.digests[d] === rec.id).sort();
      if (key === undefined && tags.length > 1 && !force) {
        throw new EngineError('conflict', 'remove image', ref, `conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`);
      }
      const untag = key === undefined ? [...tags, ...digests] : [key];
      const remainingTags = tags.filter((t) => !untag.includes(t));
      const remainingDigests = digests.filter((d) => !untag.includes(d));
      const goes = remainingTags.length === 0 && (key === undefined || !key.includes('@') || remainingDigests.length === 0);
      if (goes && inUse.has(rec.id) && !force) {
        throw new EngineError('conflict', 'remove image', ref, `conflict: unable to remove repository reference "${ref}" (must force) - container is using its referenced image ${short}`);
      }
      const out: RemoveResult = { untagged: [], deleted: [] };
      for (const k of untag) {
        delete index.tags[k];
        delete index.digests[k];
        out.untagged.push(familiar(k));
      }
      if (goes) {
        for (const d of remainingDigests) {
          delete index.digests[d];
          out.untagged.push(familiar(d));
        }
        if (!inUse.has(rec.id)) {
          await this.files.removeImage(rec.id);
          out.deleted.push(rec.id);
        }
      } else await this.files.writeImage({ ...rec, repoTags: remainingTags, repoDigests: remainingDigests });
      await this.files.writeIndex(index);
      return out;
    });
    if (result.deleted.length > 0) await collectGarbage(this.files, new Set());
    return result;
  }

  /**
   * Removes dangling (untagged) images (all unused ones with `all`) not in `imagesInUse`, then
   * blobs and layers nothing references (keeping `layersInUse`).
   */
  async prune(opts: { all?: boolean; imagesInUse?: ReadonlySet<string>; layersInUse?: ReadonlySet<string> } = {}): Promise<PruneResult> {
    const images = await this.files.locked(async () => {
      const index = await this.files.readIndex();
      const tagged = new Set(Object.values(index.tags));
      const removed: string[] = [];
      for (const rec of await this.files.listImages()) {
        if (opts.imagesInUse?.has(rec.id) === true || (!opts.all && tagged.has(rec.id))) continue;
        for (const [k, id] of Object.entries(index.tags)) if (id === rec.id) delete index.tags[k];
        for (const [k, id] of Object.entries(index.digests)) if (id === rec.id) delete index.digests[k];
        await this.files.removeImage(rec.id);
        removed.push(rec.id);
      }
      await this.files.writeIndex(index);
      return removed;
    });
    return { images, ...(await collectGarbage(this.files, opts.layersInUse ?? new Set())) };
  }

  /** Layer dirs, top layer first, with their opaque dirs (for user lookup in the merged view). */
  async layerViews(imageId: string): Promise<LayerView[]> {
    const rec = await this.files.readImage(imageId);
    if (rec === undefined) throw new EngineError('not-found', 'image layers', imageId, `No such image: ${imageId}`);
    const views: LayerView[] = [];
    for (const l of [...rec.layers].reverse()) {
      const meta = await readLayerMeta(this.files.layersDir, l.chainId);
      if (meta === undefined) throw new EngineError('failed', 'image layers', imageId, `layer ${l.chainId} of ${imageId} is not unpacked (store damaged; pull or load the image again)`);
      views.push({ diffDir: layerDiffDir(this.files.layersDir, l.chainId), opaqueDirs: meta.opaqueDirs });
    }
    return views;
  }

  /** `lowerdir=` entries for an overlay mount, top layer first. */
  async lowerDirs(imageId: string): Promise<string[]> {
    return (await this.layerViews(imageId)).map((v) => v.diffDir);
  }

  /** The chain ids a container created from the image pins (for prune's `layersInUse`). */
  async chainIds(imageId: string): Promise<string[]> {
    return ((await this.files.readImage(imageId))?.layers ?? []).map((l) => l.chainId);
  }

  /** An image's layers never change: each user spec is resolved once per process (e.g. once per `up`). */
  resolveUser(imageId: string, user: string | undefined): Promise<ResolvedUser> {
    const key = `${imageId}\0${user ?? ''}`;
    let found = this.users.get(key);
    if (found === undefined) {
      found = this.layerViews(imageId).then((layers) => resolveUser(user, layers));
      this.users.set(key, found);
      found.catch(() => this.users.delete(key));
    }
    return found;
  }

  /** `docker import`: a rootfs tarball (plain or gzip) as a one-layer image tagged `refs`. */
  async importRootfs(tar: AsyncIterable<Buffer | string>, opts: { refs?: readonly string[]; config?: ImportConfig; platform?: string; comment?: string } = {}): Promise<ImageInfo> {
    const tags = (opts.refs ?? []).map((r) => {
      const tag = canonicalTag(parseReference(r));
      if (tag === undefined || r.includes('@')) throw new EngineError('failed', 'import image', r, `invalid tag ${r}: a digest cannot be given to an imported image`);
      return tag;
    });
    const { importRootfs } = await import('./import-rootfs.js');
    const id = await importRootfs(this.files, tar, {
      tags,
      config: opts.config ?? {},
      platform: opts.platform !== undefined ? parsePlatform(opts.platform) : this.platform,
      ...(opts.comment !== undefined ? { comment: opts.comment } : {}),
    });
    return (await this.inspect(id))!;
  }

  /** Commits a locally built image (config + layer blobs already in the store) and tags it. */
  async commitLocal(config: ImageConfigDoc, layers: readonly IngestLayer[], tags: readonly string[]): Promise<ImageRecord> {
    const { commitLocalImage } = await import('./local-commit.js');
    return commitLocalImage(this.files, config, layers, tags);
  }
}
