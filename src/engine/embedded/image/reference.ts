/**
 * Image references as Docker reads them: `[domain/]path[:tag][@digest]`, where the first path
 * component is a domain only if it has a `.` or `:` or is `localhost`; Docker Hub names get
 * `docker.io` and, when single-component, `library/`. The tag defaults to `latest` when
 * neither tag nor digest is given.
 */
import { assertDigest } from './digest.js';

export interface ImageReference {
  /** `docker.io`, `127.0.0.1:5000`, … */
  domain: string;
  /** `library/busybox`, `team/app`. */
  path: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d+)?$/;

export const DOCKER_HUB = 'docker.io';

export function parseReference(input: string): ImageReference {
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = assertDigest(rest.slice(at + 1), 'reference digest');
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new Error(`invalid reference format: invalid tag in "${input}"`);
  }
  let domain = DOCKER_HUB;
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    domain = first;
    rest = rest.slice(slash + 1);
    if (!DOMAIN.test(domain)) throw new Error(`invalid reference format: invalid domain in "${input}"`);
  }
  if (domain === 'index.docker.io') domain = DOCKER_HUB;
  if (rest === '') throw new Error(`invalid reference format: "${input}"`);
  if (rest.toLowerCase() !== rest) throw new Error(`invalid reference format: repository name must be lowercase in "${input}"`);
  if (!rest.split('/').every((c) => COMPONENT.test(c))) throw new Error(`invalid reference format: "${input}"`);
  const path = domain === DOCKER_HUB && !rest.includes('/') ? `library/${rest}` : rest;
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { domain, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** `docker.io/library/busybox` */
export function repositoryName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** `docker.io/library/busybox:latest`, or undefined for a digest-only reference. */
export function canonicalTag(ref: ImageReference): string | undefined {
  return ref.tag === undefined ? undefined : `${repositoryName(ref)}:${ref.tag}`;
}

/** How Docker displays a canonical name: `docker.io/library/busybox:1` → `busybox:1`. */
export function familiar(canonical: string): string {
  if (!canonical.startsWith(`${DOCKER_HUB}/`)) return canonical;
  const rest = canonical.slice(DOCKER_HUB.length + 1);
  return rest.startsWith('library/') && !rest.slice('library/'.length).split(/[:@]/)[0]!.includes('/') ? rest.slice('library/'.length) : rest;
}

/** The host serving the distribution API for a domain. */
export function registryHost(domain: string): string {
  return domain === DOCKER_HUB ? 'registry-1.docker.io' : domain;
}
