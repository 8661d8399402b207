/**
 * Debian's docker-registry on 127.0.0.1 for pull tests: started per test suite with its own
 * config and storage, images pushed through the HTTP API (no dockerd), and a small proxy in
 * front of it that demands Bearer tokens from its own token endpoint (or corrupts blobs).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { buildTar, gzip, sha256 } from './image-tar-builder.js';
import type { TestTarEntry } from './image-tar-builder.js';

export const USER = 'berth-user';
export const PASSWORD = 'berth-secret';
/** bcrypt of PASSWORD (docker-registry's htpasswd needs bcrypt). */
const HTPASSWD = `${USER}:$2b$12$aDflcUwHI6kpRwSSopSbWeM1GqeHaFSrsiN0tsV9/KmxQxyfLHpb2\n`;

export function basic(user = USER, password = PASSWORD): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunningRegistry {
  host: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts docker-registry; fails with a clear message when the binary is missing. */
export async function startRegistry(dir: string, opts: { htpasswd: boolean }): Promise<RunningRegistry> {
  if (spawnSync('sh', ['-c', 'command -v docker-registry']).status !== 0) {
    throw new Error('docker-registry is not installed: these tests need it (Debian: apt-get install -y docker-registry)');
  }
  await mkdir(join(dir, 'data'), { recursive: true });
  const port = await freePort();
  const auth = opts.htpasswd ? `auth:\n  htpasswd:\n    realm: basic-realm\n    path: ${join(dir, 'htpasswd')}\n` : '';
  await writeFile(join(dir, 'htpasswd'), HTPASSWD);
  await writeFile(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`,
  );
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const host = `127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${stderr}`);
    const ok = await fetch(`http://${host}/v2/`).then(
      (r) => r.status === 200 || r.status === 401,
      () => false,
    );
    if (ok) return { host, process: child, stop };
    await delay(50);
  }
  await stop();
  throw new Error(`docker-registry did not answer on ${host}: ${stderr}`);
}

export async function pushBlob(host: string, repo: string, data: Buffer, auth?: string): Promise<string> {
  const headers: Record<string, string> = auth !== undefined ? { authorization: auth } : {};
  const digest = sha256(data);
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
  if (start.status !== 202) throw new Error(`upload start: ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get('location')!, `http://${host}`);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: data });
  if (put.status !== 201) throw new Error(`upload put: ${put.status} ${await put.text()}`);
  return digest;
}

export async function pushManifest(host: string, repo: string, ref: string, doc: unknown, mediaType: string, auth?: string): Promise<string> {
  const body = Buffer.from(JSON.stringify(doc));
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${ref}`, {
    method: 'PUT',
    headers: { 'content-type': mediaType, ...(auth !== undefined ? { authorization: auth } : {}) },
    body,
  });
  if (res.status !== 201) throw new Error(`manifest put: ${res.status} ${await res.text()}`);
  return sha256(body);
}

export interface TestImage {
  config: Buffer;
  configDigest: string;
  layers: Buffer[];
  manifest: Record<string, unknown>;
}

/** A 2-layer image (second layer deletes a file of the first), Docker or OCI media types. */
export function makeImage(arch: string, kind: 'oci' | 'docker'): TestImage {
  const l1: TestTarEntry[] = [
    { path: 'etc/', type: 'dir' },
    { path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\nweb:x:81:82::/srv:/bin/sh\n' },
    { path: 'etc/group', content: 'root:x:0:\nweb:x:82:\n' },
    { path: 'srv/old', content: 'old' },
    { path: 'arch', content: arch },
  ];
  const l2: TestTarEntry[] = [{ path: 'srv/.wh.old' }, { path: 'srv/new', content: 'new', mode: 0o640, uid: 81, gid: 82 }];
  const tars = [buildTar(l1), buildTar(l2)];
  const config = Buffer.from(
    JSON.stringify({
      architecture: arch,
      os: 'linux',
      created: '2026-01-02T03:04:05Z',
      config: { User: 'web', Cmd: ['/bin/serve'], Env: ['A=1'], ExposedPorts: { '80/tcp': {} } },
      rootfs: { type: 'layers', diff_ids: tars.map(sha256) },
    }),
  );
  const layers = tars.map((t) => gzip(t));
  const layerType = kind === 'oci' ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.docker.image.rootfs.diff.tar.gzip';
  const manifest = {
    schemaVersion: 2,
    mediaType: kind === 'oci' ? 'application/vnd.oci.image.manifest.v1+json' : 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: kind === 'oci' ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json', digest: sha256(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: layerType, digest: sha256(l), size: l.length })),
  };
  return { config, configDigest: sha256(config), layers, manifest };
}

/** Pushes blobs and manifest; returns the manifest digest. */
export async function pushImage(host: string, repo: string, ref: string, img: TestImage, auth?: string): Promise<string> {
  for (const blob of [img.config, ...img.layers]) await pushBlob(host, repo, blob, auth);
  return pushManifest(host, repo, ref, img.manifest, img.manifest.mediaType as string, auth);
}

export interface TokenProxy {
  host: string;
  tokenRequests: Array<{ authorization?: string; scope?: string; service?: string }>;
  /** When set, blob bodies are altered (digest verification test). */
  corruptBlobs: boolean;
  stop(): Promise<void>;
}

/** A proxy to `upstream` that answers 401 with a Bearer challenge unless given its token. */
export async function startTokenProxy(upstream: string): Promise<TokenProxy> {
  const token = 'tok-' + Math.random().toString(36).slice(2);
  const state: TokenProxy = { host: '', tokenRequests: [], corruptBlobs: false, stop: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    void (async () => {
      if (url.pathname === '/token') {
        const entry = { ...(req.headers.authorization !== undefined ? { authorization: req.headers.authorization } : {}), ...(url.searchParams.get('scope') !== null ? { scope: url.searchParams.get('scope')! } : {}), ...(url.searchParams.get('service') !== null ? { service: url.searchParams.get('service')! } : {}) };
        state.tokenRequests.push(entry);
        if (req.headers.authorization !== basic()) {
          res.writeHead(401).end('bad credentials');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
        return;
      }
      if (req.headers.authorization !== `Bearer ${token}`) {
        const repo = /^\/v2\/(.+)\/(?:manifests|blobs)\//.exec(url.pathname)?.[1];
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${state.host}/token",service="berth-test"${repo !== undefined ? `,scope="repository:${repo}:pull"` : ''}` }).end();
        return;
      }
      const up = await fetch(`http://${upstream}${req.url ?? '/'}`, { headers: { accept: req.headers.accept ?? '*/*' } });
      let body = Buffer.from(await up.arrayBuffer());
      if (state.corruptBlobs && url.pathname.includes('/blobs/') && body.length > 0) {
        body = Buffer.from(body);
        body[body.length - 1] = body[body.length - 1]! ^ 0xff;
      }
      const headers: Record<string, string> = {};
      for (const h of ['content-type', 'docker-content-digest']) {
        const v = up.headers.get(h);
        if (v !== null) headers[h] = v;
      }
      res.writeHead(up.status, headers).end(body);
    })().catch((err: unknown) => res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (typeof addr !== 'object' || addr === null) throw new Error('proxy has no address');
  state.host = `127.0.0.1:${addr.port}`;
  state.stop = () => new Promise((r) => server.close(() => r()));
  return state;
}
