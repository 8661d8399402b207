import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { EngineError } from '../engine-error.js';
import type { HealthcheckSpec, ImageInfo, ProgressListener } from '../engine.js';
import { call, statusCodeOf, toEngineError } from './errors.js';
import { registryOf, splitImageRef } from './image-ref.js';
import { jsonObjects, progressError } from './json-stream.js';
import { filtersJson } from './label-filters.js';

type Json = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const labelsOf = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v))) if (typeof val === 'string') out[k] = val;
  return out;
};
const nsToMs = (v: unknown): number | undefined => (typeof v === 'number' && v > 0 ? Math.round(v / 1_000_000) : undefined);
const nonEmpty = (list: string[]): string[] | undefined => (list.length === 0 ? undefined : list);

function healthcheckOf(raw: unknown): HealthcheckSpec | undefined {
  const h = obj(raw);
  const test = strings(h.Test);
  if (test.length === 0) return undefined;
  const interval = nsToMs(h.Interval);
  const timeout = nsToMs(h.Timeout);
  const startPeriod = nsToMs(h.StartPeriod);
  const startInterval = nsToMs(h.StartInterval);
  return {
    test,
    ...(interval === undefined ? {} : { intervalMs: interval }),
    ...(timeout === undefined ? {} : { timeoutMs: timeout }),
    ...(typeof h.Retries === 'number' && h.Retries > 0 ? { retries: h.Retries } : {}),
    ...(startPeriod === undefined ? {} : { startPeriodMs: startPeriod }),
    ...(startInterval === undefined ? {} : { startIntervalMs: startInterval }),
  };
}

/** `GET /images/{id}/json` → ImageInfo (the config part from `Config`). */
export function toImageInfo(raw: Json): ImageInfo {
  const c = obj(raw.Config);
  const entrypoint = nonEmpty(strings(c.Entrypoint));
  const command = nonEmpty(strings(c.Cmd));
  const healthcheck = healthcheckOf(c.Healthcheck);
  const created = typeof raw.Created === 'number' ? raw.Created : Math.floor(Date.parse(str(raw.Created)) / 1000) || 0;
  return {
    id: str(raw.Id),
    repoTags: strings(raw.RepoTags).filter((t) => t !== '<none>:<none>'),
    repoDigests: strings(raw.RepoDigests).filter((t) => t !== '<none>@<none>'),
    labels: labelsOf(c.Labels ?? raw.Labels),
    created,
    size: num(raw.Size),
    config: {
      ...(entrypoint === undefined ? {} : { entrypoint }),
      ...(command === undefined ? {} : { command }),
      env: strings(c.Env),
      ...(str(c.WorkingDir) === '' ? {} : { workingDir: str(c.WorkingDir) }),
      ...(str(c.User) === '' ? {} : { user: str(c.User) }),
      exposedPorts: Object.keys(obj(c.ExposedPorts)).sort(),
      volumes: Object.keys(obj(c.Volumes)).sort(),
      ...(str(c.StopSignal) === '' ? {} : { stopSignal: str(c.StopSignal) }),
      ...(healthcheck === undefined ? {} : { healthcheck }),
    },
  };
}

export async function inspectImage(docker: Docker, ref: string): Promise<ImageInfo | undefined> {
  try {
    const raw = await docker.getImage(ref).inspect();
    return toImageInfo(raw as unknown as Json);
  } catch (err) {
    if (statusCodeOf(err) === 404) return undefined;
    throw toEngineError(err, 'inspect image', ref);
  }
}

/** The list endpoint carries no image config; entries come back with an empty one. */
export async function listImages(docker: Docker, labels: Record<string, string | undefined> = {}): Promise<ImageInfo[]> {
  const raw = await call('list images', '', () => docker.listImages({ filters: filtersJson(labels) }));
  return (raw as unknown as Json[]).map((i) => ({
    id: str(i.Id),
    repoTags: strings(i.RepoTags).filter((t) => t !== '<none>:<none>').sort(),
    repoDigests: strings(i.RepoDigests).filter((t) => t !== '<none>@<none>').sort(),
    labels: labelsOf(i.Labels),
    created: num(i.Created),
    size: num(i.Size),
    config: { env: [], exposedPorts: [], volumes: [] },
  })).sort((a, b) => (a.repoTags[0] ?? a.id).localeCompare(b.repoTags[0] ?? b.id));
}

export async function removeImage(docker: Docker, ref: string, force: boolean): Promise<void> {
  await call('remove image', ref, () => docker.getImage(ref).remove({ force }));
}

export async function tagImage(docker: Docker, ref: string, tag: string): Promise<void> {
  const { repository, tag: t } = splitImageRef(tag);
  await call('tag image', `${ref} as ${tag}`, () => docker.getImage(ref).tag({ repo: repository, tag: t ?? 'latest' }));
}

/** Credentials for the reference's registry from the Docker CLI config (`auths[registry].auth`). */
export async function registryAuth(ref: string, env: Readonly<Record<string, string | undefined>>): Promise<Json | undefined> {
  const dir = env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker');
  let config: Json;
  try {
    config = obj(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')));
  } catch {
    return undefined;
  }
  const registry = registryOf(ref);
  const keys = registry === 'docker.io'
    ? ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io']
    : [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
  const auths = obj(config.auths);
  for (const key of keys) {
    const entry = obj(auths[key]);
    const auth = str(entry.auth);
    if (auth === '') continue;
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    if (sep < 0) continue;
    return { username: decoded.slice(0, sep), password: decoded.slice(sep + 1), serveraddress: key };
  }
  return undefined;
}

export async function pullImage(
  docker: Docker,
  ref: string,
  opts: { platform?: string; onProgress?: ProgressListener; signal?: AbortSignal },
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  const parts = splitImageRef(ref);
  // Without a tag the API pulls every tag of the repository.
  const fromImage = parts.tag === undefined && parts.digest === undefined ? `${ref}:latest` : ref;
  const auth = await registryAuth(ref, env);
  const query = {
    fromImage,
    ...(opts.platform === undefined ? {} : { platform: opts.platform }),
    ...(opts.signal === undefined ? {} : { abortSignal: opts.signal }),
    ...(auth === undefined ? {} : { authconfig: auth }),
  };
  const stream = await call('pull image', ref, () => docker.createImage(query) as Promise<Readable>);
  try {
    for await (const o of jsonObjects(stream as AsyncIterable<Buffer>)) {
      const error = progressError(o);
      if (error !== undefined) throw new EngineError('failed', 'pull image', ref, `pull image ${ref}: ${error}`);
      const detail = obj(o.progressDetail);
      opts.onProgress?.({
        kind: 'pull',
        image: ref,
        status: str(o.status),
        ...(str(o.id) === '' ? {} : { layer: str(o.id) }),
        ...(typeof detail.current === 'number' ? { current: detail.current } : {}),
        ...(typeof detail.total === 'number' ? { total: detail.total } : {}),
      });
    }
  } catch (err) {
    throw toEngineError(err, 'pull image', ref);
  } finally {
    stream.destroy();
  }
}
