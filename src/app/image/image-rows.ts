/**
 * What `berth image ls` and `berth image inspect` show, as data: one row per repository tag
 * (like `docker image ls`), and Docker-shaped inspect objects from the raw image config.
 */
import type { ImageInfo } from '../../engine/engine.js';
import type { ImageConfigDoc } from '../../engine/embedded/image/image-config.js';
import type { ImageRecord } from '../../engine/embedded/image/store.js';
import { splitReference } from '../images.js';

export interface ImageRow {
  repository: string;
  tag: string;
  /** `sha256:…` of the manifest the image was pulled by, or `<none>`. */
  digest: string;
  id: string;
  /** Seconds since the epoch. */
  created: number;
  size: number;
}

function matches(row: ImageRow, filter: string): boolean {
  const slash = filter.lastIndexOf('/');
  const colon = filter.lastIndexOf(':');
  if (colon > slash) return row.repository === filter.slice(0, colon) && row.tag === filter.slice(colon + 1);
  return row.repository === filter;
}

/** Rows in the order of `list` (newest first from the store), tags sorted within an image. */
export function imageRows(list: readonly ImageInfo[], filter?: string): ImageRow[] {
  const rows: ImageRow[] = [];
  for (const info of list) {
    const digests = new Map(info.repoDigests.map((d) => splitDigest(d)));
    const base = { id: info.id, created: info.created, size: info.size };
    if (info.repoTags.length > 0) {
      for (const t of [...info.repoTags].sort()) {
        const [repository, tag] = splitReference(t);
        rows.push({ repository, tag, digest: digests.get(repository) ?? '<none>', ...base });
      }
    } else if (digests.size > 0) {
      for (const [repository, digest] of [...digests].sort(([a], [b]) => (a < b ? -1 : 1))) rows.push({ repository, tag: '<none>', digest, ...base });
    } else rows.push({ repository: '<none>', tag: '<none>', digest: '<none>', ...base });
  }
  return filter === undefined ? rows : rows.filter((r) => matches(r, filter));
}

function splitDigest(ref: string): [string, string] {
  const at = ref.indexOf('@');
  return at < 0 ? [ref, '<none>'] : [ref.slice(0, at), ref.slice(at + 1)];
}

/** `docker image inspect`'s main fields, from the store's record and the raw config. */
export function inspectObject(info: ImageInfo, rec: ImageRecord, config: ImageConfigDoc & { comment?: string; author?: string }): Record<string, unknown> {
  return {
    Id: info.id,
    RepoTags: info.repoTags,
    RepoDigests: info.repoDigests,
    Comment: config.comment ?? '',
    Created: config.created ?? '',
    Author: config.author ?? '',
    Config: config.config ?? {},
    Architecture: config.architecture ?? '',
    ...(config.variant !== undefined ? { Variant: config.variant } : {}),
    Os: config.os ?? '',
    Size: info.size,
    RootFS: { Type: config.rootfs?.type ?? 'layers', Layers: config.rootfs?.diff_ids ?? [] },
    ...(rec.manifestDigest !== undefined ? { ManifestDigest: rec.manifestDigest } : {}),
  };
}
