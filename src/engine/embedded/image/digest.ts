import { createHash } from 'node:crypto';

const SHA256 = /^sha256:[0-9a-f]{64}$/;

export function isDigest(value: string): boolean {
  return SHA256.test(value);
}

/** Throws unless `value` is a sha256 digest; digests become file names, so nothing else may pass. */
export function assertDigest(value: string, what = 'digest'): string {
  if (!SHA256.test(value)) {
    if (!value.startsWith('sha256:') && /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(value)) throw new Error(`unsupported ${what} algorithm: ${value}`);
    throw new Error(`invalid ${what}: ${value}`);
  }
  return value;
}

export function digestHex(digest: string): string {
  return assertDigest(digest).slice('sha256:'.length);
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)) (OCI image spec). */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? diffId : sha256Digest(`${prev} ${diffId}`));
  }
  return out;
}
