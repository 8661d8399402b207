/**
 * `berth image load`: `docker save` archives (legacy `manifest.json` + `<id>/layer.tar`, and
 * the OCI-layout form Docker 25+ writes) and plain OCI image archives (`oci-layout` +
 * `index.json`). The archive is read once, streaming: every regular file goes straight into
 * the blob store; the small JSON files are also kept for parsing.
 */
import { posix } from 'node:path';
import { assertDigest, digestHex } from './digest.js';
import { parseConfig } from './image-config.js';
import type { ImageConfigDoc } from './image-config.js';
import { boundedAll, commitImage, createdSeconds, layerRecords, unpackOne } from './ingest.js';
import { openTarFile } from './layer-compression.js';
import { readTar } from '../../../model/tar-reader.js';
import { MEDIA, checkLayerMediaType, parseManifest, selectPlatform } from './manifest.js';
import type { Platform } from './manifest.js';
import { canonicalTag, parseReference } from './reference.js';
import type { ImageRecord, StoreFiles } from './store.js';
import { cleanMemberPath } from './tar-extract.js';

const KEEP_IN_MEMORY = 4 * 1024 * 1024;

interface ArchiveFiles {
  /** Member path → stored blob. */
  blobs: Map<string, { digest: string; size: number }>;
  /** Member path → symlink target, resolved to a member path. */
  links: Map<string, string>;
  small: Map<string, Buffer>;
  /** Blobs this load added (the rest of the archive's files were in the store already). */
  added: Set<string>;
}

export interface LoadedImage {
  id: string;
  /** Canonical tags. */
  tags: string[];
}

async function* tee(body: AsyncIterable<Buffer>, copy: Buffer[] | undefined): AsyncGenerator<Buffer> {
  for await (const c of body) {
    copy?.push(c);
    yield c;
  }
}

async function readArchive(files: StoreFiles, archivePath: string): Promise<ArchiveFiles> {
  const out: ArchiveFiles = { blobs: new Map(), links: new Map(), small: new Map(), added: new Set() };
  for await (const { header, body } of readTar(await openTarFile(archivePath))) {
    const parts = cleanMemberPath(header.path);
    if (parts === undefined || parts.length === 0) continue;
    const path = parts.join('/');
    if (header.type === 'symlink') {
      const target = cleanMemberPath(posix.join(posix.dirname(path), header.linkTarget));
      if (target !== undefined) out.links.set(path, target.join('/'));
    } else if (header.type === 'hardlink') {
      const target = cleanMemberPath(header.linkTarget);
      if (target !== undefined) out.links.set(path, target.join('/'));
    } else if (header.type === 'file') {
      const chunks: Buffer[] = [];
      const keep = header.size <= KEEP_IN_MEMORY;
      const stored = await files.writeBlob(tee(body, keep ? chunks : undefined));
      // In an OCI layout the file name is the digest: a mismatch is a corrupt archive.
      const m = /(?:^|\/)blobs\/sha256\/([0-9a-f]{64})$/.exec(path);
      if (m !== null && m[1] !== digestHex(stored.digest)) throw new Error(`corrupt archive: ${path} hashes to ${stored.digest}`);
      out.blobs.set(path, { digest: stored.digest, size: stored.size });
      if (!stored.existed) out.added.add(stored.digest);
      if (keep) out.small.set(path, Buffer.concat(chunks));
    }
  }
  return out;
}

function resolveMember(a: ArchiveFiles, path: string): { digest: string; size: number } {
  let p = (cleanMemberPath(path) ?? []).join('/');
  for (let hops = 0; hops < 16 && !a.blobs.has(p); hops++) {
    const next = a.links.get(p);
    if (next === undefined) break;
    p = next;
  }
  const blob = a.blobs.get(p);
  if (blob === undefined) throw new Error(`archive member ${path} is missing`);
  return blob;
}

async function configOf(files: StoreFiles, digest: string): Promise<ImageConfigDoc> {
  return parseConfig(await files.readBlob(digest));
}

async function finishImage(
  files: StoreFiles,
  configDigest: string,
  layers: Array<{ blobDigest: string; blobSize: number; mediaType?: string }>,
  tags: string[],
  manifestDigest?: string,
): Promise<LoadedImage> {
  const config = await configOf(files, configDigest);
  const records = layerRecords(config, layers);
  await boundedAll(records, 4, (l) => unpackOne(files, l));
  const rec: ImageRecord = {
    id: configDigest,
    configDigest,
    ...(manifestDigest !== undefined ? { manifestDigest } : {}),
    repoTags: [],
    repoDigests: [],
    layers: records,
    created: createdSeconds(config),
    size: records.reduce((n, l) => n + (l.blobSize ?? 0), 0),
  };
  await commitImage(files, rec, tags, []);
  return { id: rec.id, tags };
}

function canonicalTags(names: readonly string[]): string[] {
  return names.flatMap((n) => {
    const tag = canonicalTag(parseReference(n));
    return tag !== undefined ? [tag] : [];
  });
}

async function loadDockerManifest(files: StoreFiles, a: ArchiveFiles, doc: unknown): Promise<LoadedImage[]> {
  if (!Array.isArray(doc)) throw new Error('manifest.json is not a list');
  const out: LoadedImage[] = [];
  for (const entry of doc as Array<{ Config?: string; RepoTags?: string[] | null; Layers?: string[] }>) {
    if (entry.Config === undefined || !Array.isArray(entry.Layers)) throw new Error('manifest.json entry without Config or Layers');
    const config = resolveMember(a, entry.Config);
    const layers = entry.Layers.map((l) => {
      const b = resolveMember(a, l);
      return { blobDigest: b.digest, blobSize: b.size };
    });
    out.push(await finishImage(files, config.digest, layers, canonicalTags(entry.RepoTags ?? [])));
  }
  return out;
}

function refNameOf(annotations: Record<string, string> | undefined): string[] {
  const full = annotations?.['io.containerd.image.name'];
  if (full !== undefined) return [full];
  const name = annotations?.['org.opencontainers.image.ref.name'];
  // A bare tag (`latest`) names no repository: the image loads untagged.
  return name !== undefined && /[/:]/.test(name) ? [name] : [];
}

async function loadOciIndex(files: StoreFiles, a: ArchiveFiles, indexBytes: Buffer, platform: Platform): Promise<LoadedImage[]> {
  const index = parseManifest(indexBytes, MEDIA.ociIndex);
  if (index.kind !== 'index') throw new Error('index.json is not an image index');
  const out: LoadedImage[] = [];
  for (const desc of index.manifests) {
    const tags = canonicalTags(refNameOf(desc.annotations));
    let manifestDigest = assertDigest(desc.digest);
    let manifest = parseManifest(await files.readBlob(resolveMember(a, `blobs/sha256/${digestHex(manifestDigest)}`).digest), desc.mediaType);
    if (manifest.kind === 'index') {
      manifestDigest = selectPlatform(manifest.manifests, platform).digest;
      manifest = parseManifest(await files.readBlob(resolveMember(a, `blobs/sha256/${digestHex(manifestDigest)}`).digest));
    }
    if (manifest.kind !== 'manifest') throw new Error(`nested index ${manifestDigest} is not supported`);
    for (const l of manifest.layers) checkLayerMediaType(l.mediaType);
    const config = resolveMember(a, `blobs/sha256/${digestHex(manifest.config.digest)}`);
    const layers = manifest.layers.map((l) => {
      const b = resolveMember(a, `blobs/sha256/${digestHex(l.digest)}`);
      return { blobDigest: b.digest, blobSize: b.size, mediaType: l.mediaType };
    });
    out.push(await finishImage(files, config.digest, layers, tags, manifestDigest));
  }
  return out;
}

/** Loads every image in the archive; `docker save`'s manifest.json wins over its index.json (it carries the tags). */
export async function loadArchive(files: StoreFiles, archivePath: string, platform: Platform): Promise<LoadedImage[]> {
  return files.leased(async () => {
    const a = await readArchive(files, archivePath);
    const manifestJson = a.small.get('manifest.json');
    const indexJson = a.small.get('index.json');
    let loaded: LoadedImage[];
    if (manifestJson !== undefined) loaded = await loadDockerManifest(files, a, JSON.parse(manifestJson.toString('utf8')));
    else if (indexJson !== undefined) loaded = await loadOciIndex(files, a, indexJson, platform);
    else throw new Error(`${archivePath} is neither a docker save archive (manifest.json) nor an OCI image archive (index.json)`);
    // Only after success: on failure another ingest may share these blobs; prune gets them later.
    await dropUnreferenced(files, a.added);
    return loaded;
  });
}

/** Archive files no image references (VERSION, legacy json, indexes) are not kept. */
async function dropUnreferenced(files: StoreFiles, added: ReadonlySet<string>): Promise<void> {
  if (added.size === 0) return;
  const used = new Set<string>();
  for (const img of await files.listImages()) {
    used.add(img.configDigest);
    if (img.manifestDigest !== undefined) used.add(img.manifestDigest);
    for (const l of img.layers) if (l.blobDigest !== undefined) used.add(l.blobDigest);
  }
  for (const d of added) if (!used.has(d)) await files.removeBlob(d);
}
