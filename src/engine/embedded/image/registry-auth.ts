/** Registry credentials (from a Docker config.json) and WWW-Authenticate challenges. */
import { readFile } from 'node:fs/promises';

export interface Credentials {
  username: string;
  password: string;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** `Bearer realm="…",service="…",scope="…"` → scheme and params (quoted values may hold commas). */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (m === null) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (const p of m[2]!.matchAll(re)) params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
  return { scheme: m[1]!.toLowerCase(), params };
}

function hubKeys(domain: string): string[] {
  return domain === 'docker.io' ? ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'] : [];
}

/**
 * Credentials for `domain` from the `auths` section of a Docker config file (`auth` is
 * base64 `user:password`). Credential helpers (`credsStore`, `credHelpers`) are not run.
 */
export async function credentialsFor(configPath: string | undefined, domain: string): Promise<Credentials | undefined> {
  if (configPath === undefined) return undefined;
  let doc: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try {
    doc = JSON.parse(await readFile(configPath, 'utf8')) as typeof doc;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read registry credentials from ${configPath}: ${(err as Error).message}`);
  }
  const auths = doc.auths ?? {};
  const keys = [domain, `https://${domain}`, `http://${domain}`, `https://${domain}/v1/`, `https://${domain}/v2/`, ...hubKeys(domain)];
  for (const key of keys) {
    const entry = auths[key];
    if (entry === undefined) continue;
    if (typeof entry.auth === 'string' && entry.auth !== '') {
      const text = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = text.indexOf(':');
      if (colon > 0) return { username: text.slice(0, colon), password: text.slice(colon + 1) };
    }
    if (typeof entry.username === 'string' && typeof entry.password === 'string') return { username: entry.username, password: entry.password };
  }
  return undefined;
}

export function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}
