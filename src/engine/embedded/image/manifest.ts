/** OCI and Docker v2 manifests and indexes: parsing, validation and platform choice. */
import { assertDigest } from './digest.js';

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** What we send as Accept when fetching a manifest by tag or digest. */
export const MANIFEST_ACCEPT = [MEDIA.ociIndex, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.dockerManifest].join(', ');

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export type ParsedManifest =
  | { kind: 'index'; mediaType: string; manifests: Descriptor[] }
  | { kind: 'manifest'; mediaType: string; config: Descriptor; layers: Descriptor[] };

function descriptor(value: unknown, what: string): Descriptor {
  if (typeof value !== 'object' || value === null) throw new Error(`invalid ${what} descriptor`);
  const v = value as Record<string, unknown>;
  if (typeof v.digest !== 'string' || typeof v.size !== 'number') throw new Error(`invalid ${what} descriptor: missing digest or size`);
  assertDigest(v.digest, `${what} digest`);
  const p = v.platform as Record<string, unknown> | undefined;
  const platform: Platform | undefined =
    p !== undefined && typeof p.os === 'string' && typeof p.architecture === 'string'
      ? { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' ? { variant: p.variant } : {}) }
      : undefined;
  return {
    mediaType: typeof v.mediaType === 'string' ? v.mediaType : '',
    digest: v.digest,
    size: v.size,
    ...(platform !== undefined ? { platform } : {}),
    ...(typeof v.annotations === 'object' && v.annotations !== null ? { annotations: v.annotations as Record<string, string> } : {}),
  };
}

/** Parses manifest bytes; `headerType` is the Content-Type the registry sent, used when the body has no mediaType. */
export function parseManifest(bytes: Buffer, headerType?: string): ParsedManifest {
  const doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  const mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : (headerType ?? '').split(';')[0]!.trim();
  if (Array.isArray(doc.manifests)) return { kind: 'index', mediaType: mediaType || MEDIA.ociIndex, manifests: doc.manifests.map((m) => descriptor(m, 'manifest')) };
  if (doc.schemaVersion === 1) throw new Error('Docker schema 1 manifests are not supported');
  if (doc.config === undefined || !Array.isArray(doc.layers)) throw new Error(`unsupported manifest media type ${mediaType || '(none)'}`);
  return { kind: 'manifest', mediaType: mediaType || MEDIA.ociManifest, config: descriptor(doc.config, 'config'), layers: doc.layers.map((l) => descriptor(l, 'layer')) };
}

/** Refuses layer types we cannot unpack, with a message that names the type. */
export function checkLayerMediaType(mediaType: string): void {
  if (mediaType.includes('zstd')) throw new Error(`zstd-compressed layers are not supported (${mediaType})`);
  if (mediaType.includes('foreign') || mediaType.includes('nondistributable') || mediaType === '') return;
  if (mediaType.includes('tar') || mediaType.includes('rootfs.diff')) return;
  throw new Error(`unsupported layer media type ${mediaType}`);
}

/** `linux/arm64/v8` → platform. */
export function parsePlatform(text: string): Platform {
  const [os, architecture, variant] = text.split('/');
  if (os === undefined || os === '' || architecture === undefined || architecture === '') throw new Error(`invalid platform "${text}" (expected os/arch[/variant])`);
  return { os, architecture, ...(variant !== undefined && variant !== '' ? { variant } : {}) };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, ...(p.variant !== undefined ? [p.variant] : [])].join('/');
}

function normalVariant(p: Platform): string | undefined {
  if (p.variant !== undefined) return p.variant;
  if (p.architecture === 'arm64') return 'v8';
  if (p.architecture === 'arm') return 'v7';
  return undefined;
}

/** The index entry for `want`; a wanted variant must match, an unspecified one takes the first. */
export function selectPlatform(manifests: readonly Descriptor[], want: Platform): Descriptor {
  const found = manifests.find(
    (m) =>
      m.platform !== undefined &&
      m.platform.os === want.os &&
      m.platform.architecture === want.architecture &&
      (want.variant === undefined || normalVariant(m.platform) === normalVariant(want)),
  );
  if (found !== undefined) return found;
  const offered = manifests.flatMap((m) => (m.platform !== undefined && m.platform.os !== 'unknown' ? [formatPlatform(m.platform)] : [])).sort();
  throw new Error(`no matching manifest for ${formatPlatform(want)} in the manifest list (available: ${offered.join(', ') || 'none'})`);
}
