/**
 * A client for the OCI distribution API (pull side) over fetch. Authentication follows the
 * registry's challenge: Bearer (token from the realm, with basic credentials when known) or
 * Basic. Registries named insecure, and loopback hosts, are spoken to over plain HTTP.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { EngineError } from '../../engine-error.js';
import { sha256Digest } from './digest.js';
import { MANIFEST_ACCEPT } from './manifest.js';
import { registryHost } from './reference.js';
import { basicHeader, credentialsFor, parseChallenge } from './registry-auth.js';
import type { Credentials } from './registry-auth.js';

export interface RegistryClientOptions {
  /** Reference domain (`docker.io`, `127.0.0.1:5000`). */
  domain: string;
  /** Registries (host or host:port) to reach over HTTP. Loopback hosts always are. */
  insecureRegistries: readonly string[];
  /** Docker config.json with `auths`; undefined for anonymous access. */
  dockerConfigPath?: string;
  fetch?: typeof fetch;
}

export function isLoopbackHost(domain: string): boolean {
  const host = domain.startsWith('[') ? domain.slice(1, domain.indexOf(']')) : domain.replace(/:\d+$/, '');
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

export function isInsecureRegistry(domain: string, insecure: readonly string[]): boolean {
  if (isLoopbackHost(domain)) return true;
  const host = domain.replace(/:\d+$/, '');
  return insecure.some((entry) => {
    const e = entry.trim().replace(/^https?:\/\//, '').replace(/\/$/, '');
    return e !== '' && (e === domain || e === host);
  });
}

export interface ManifestResponse {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

export class RegistryClient {
  private readonly base: string;
  private readonly fetchFn: typeof fetch;
  private credentials: Credentials | undefined | null = null;
  private readonly tokens = new Map<string, string>();
  private basicWanted = false;

  constructor(private readonly opts: RegistryClientOptions) {
    const scheme = isInsecureRegistry(opts.domain, opts.insecureRegistries) ? 'http' : 'https';
    this.base = `${scheme}://${registryHost(opts.domain)}/v2`;
    this.fetchFn = opts.fetch ?? fetch;
  }

  private async creds(): Promise<Credentials | undefined> {
    if (this.credentials === null) this.credentials = await credentialsFor(this.opts.dockerConfigPath, this.opts.domain);
    return this.credentials;
  }

  private async authHeader(scope: string): Promise<string | undefined> {
    const token = this.tokens.get(scope);
    if (token !== undefined) return `Bearer ${token}`;
    const c = await this.creds();
    return this.basicWanted && c !== undefined ? basicHeader(c) : undefined;
  }

  private async fetchToken(params: Record<string, string>, scope: string, signal?: AbortSignal): Promise<void> {
    const realm = params.realm;
    if (realm === undefined) throw new EngineError('failed', 'pull', this.opts.domain, 'registry sent a Bearer challenge without a realm');
    const url = new URL(realm);
    if (params.service !== undefined) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', scope);
    const c = await this.creds();
    const res = await this.fetchFn(url, { headers: c !== undefined ? { authorization: basicHeader(c) } : {}, ...(signal !== undefined ? { signal } : {}) });
    if (!res.ok) throw new EngineError('failed', 'pull', this.opts.domain, `token request to ${url.origin}${url.pathname} failed: ${res.status} ${res.statusText}`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (token === undefined || token === '') throw new EngineError('failed', 'pull', this.opts.domain, 'token endpoint returned no token');
    this.tokens.set(scope, token);
  }

  /** GET with authentication: one retry after answering a 401 challenge. */
  private async get(path: string, repo: string, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
    const scope = `repository:${repo}:pull`;
    const url = `${this.base}/${repo}/${path}`;
    for (let attempt = 0; ; attempt++) {
      const auth = await this.authHeader(scope);
      const res = await this.fetchFn(url, { headers: { ...headers, ...(auth !== undefined ? { authorization: auth } : {}) }, ...(signal !== undefined ? { signal } : {}) });
      if (res.status !== 401 || attempt > 0) return res;
      await res.body?.cancel();
      const challenge = parseChallenge(res.headers.get('www-authenticate') ?? '');
      if (challenge?.scheme === 'bearer') await this.fetchToken(challenge.params, scope, signal);
      else if (challenge?.scheme === 'basic' && (await this.creds()) !== undefined) this.basicWanted = true;
      else return res;
    }
  }

  private async fail(res: Response, what: string, ref: string): Promise<never> {
    const text = await res.text().catch(() => '');
    let detail = text.slice(0, 300);
    try {
      const doc = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
      if (doc.errors !== undefined) detail = doc.errors.map((e) => `${e.code ?? ''}: ${e.message ?? ''}`).join('; ');
    } catch {
      // Not JSON: keep the raw text.
    }
    const resource = `${this.opts.domain}/${ref}`;
    if (res.status === 404) throw new EngineError('not-found', 'pull', resource, `${what} ${resource} not found: ${detail}`);
    if (res.status === 401 || res.status === 403) throw new EngineError('failed', 'pull', resource, `pull access denied for ${resource}: ${res.status} ${detail}`);
    throw new EngineError('failed', 'pull', resource, `${what} ${resource}: ${res.status} ${res.statusText} ${detail}`.trim());
  }

  /** The manifest (or index) for a tag or digest; a digest reference is verified. */
  async getManifest(repo: string, reference: string, signal?: AbortSignal): Promise<ManifestResponse> {
    const res = await this.get(`manifests/${reference}`, repo, { accept: MANIFEST_ACCEPT }, signal);
    if (!res.ok) return this.fail(res, 'manifest', `${repo}:${reference}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = sha256Digest(bytes);
    const expected = reference.startsWith('sha256:') ? reference : res.headers.get('docker-content-digest');
    if (expected !== null && expected !== '' && expected !== digest) throw new EngineError('failed', 'pull', `${this.opts.domain}/${repo}`, `manifest digest mismatch: expected ${expected}, got ${digest}`);
    return { bytes, mediaType: (res.headers.get('content-type') ?? '').split(';')[0]!.trim(), digest };
  }

  /** A blob's bytes as a stream (the caller verifies the digest while storing it). */
  async getBlob(repo: string, digest: string, signal?: AbortSignal): Promise<{ body: AsyncIterable<Buffer>; size?: number }> {
    const res = await this.get(`blobs/${digest}`, repo, {}, signal);
    if (!res.ok || res.body === null) return this.fail(res, 'blob', `${repo}@${digest}`);
    const length = res.headers.get('content-length');
    const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>) as AsyncIterable<Buffer>;
    return { body, ...(length !== null ? { size: parseInt(length, 10) } : {}) };
  }
}
