/**
 * The image config as berth uses it (ImageInfo), and user-name resolution through the image's
 * merged /etc/passwd and /etc/group, read through the overlay-native layer dirs top-down.
 */
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HealthcheckSpec, ImageInfo } from '../../engine.js';

/** The parts of an OCI/Docker image config JSON berth reads. */
export interface ImageConfigDoc {
  created?: string;
  architecture?: string;
  os?: string;
  variant?: string;
  config?: {
    User?: string;
    ExposedPorts?: Record<string, unknown>;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Volumes?: Record<string, unknown>;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    StopSignal?: string;
    Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number };
  };
  rootfs?: { type?: string; diff_ids?: string[] };
}

export function parseConfig(bytes: Buffer): ImageConfigDoc {
  const doc = JSON.parse(bytes.toString('utf8')) as ImageConfigDoc;
  if (doc.rootfs?.type !== 'layers' || !Array.isArray(doc.rootfs.diff_ids)) throw new Error('image config has no rootfs.diff_ids');
  return doc;
}

const NS_PER_MS = 1_000_000;

function healthcheck(h: NonNullable<ImageConfigDoc['config']>['Healthcheck']): HealthcheckSpec | undefined {
  if (h?.Test === undefined || h.Test.length === 0) return undefined;
  const ms = (ns: number | undefined): number | undefined => (ns !== undefined && ns > 0 ? ns / NS_PER_MS : undefined);
  const interval = ms(h.Interval);
  const timeout = ms(h.Timeout);
  const startPeriod = ms(h.StartPeriod);
  const startInterval = ms(h.StartInterval);
  return {
    test: [...h.Test],
    ...(interval !== undefined ? { intervalMs: interval } : {}),
    ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
    ...(h.Retries !== undefined && h.Retries > 0 ? { retries: h.Retries } : {}),
    ...(startPeriod !== undefined ? { startPeriodMs: startPeriod } : {}),
    ...(startInterval !== undefined ? { startIntervalMs: startInterval } : {}),
  };
}

export function imageInfoConfig(doc: ImageConfigDoc): ImageInfo['config'] {
  const c = doc.config ?? {};
  const hc = healthcheck(c.Healthcheck);
  return {
    ...(Array.isArray(c.Entrypoint) ? { entrypoint: [...c.Entrypoint] } : {}),
    ...(Array.isArray(c.Cmd) ? { command: [...c.Cmd] } : {}),
    env: [...(c.Env ?? [])],
    ...(c.WorkingDir !== undefined && c.WorkingDir !== '' ? { workingDir: c.WorkingDir } : {}),
    ...(c.User !== undefined && c.User !== '' ? { user: c.User } : {}),
    exposedPorts: Object.keys(c.ExposedPorts ?? {}).sort(),
    volumes: Object.keys(c.Volumes ?? {}).sort(),
    ...(c.StopSignal !== undefined && c.StopSignal !== '' ? { stopSignal: c.StopSignal } : {}),
    ...(hc !== undefined ? { healthcheck: hc } : {}),
  };
}

export interface LayerView {
  diffDir: string;
  /** Opaque directories of this layer, relative (`''` is the root). */
  opaqueDirs: readonly string[];
}

/** A file's content in the merged view of `layers` (top layer first), honouring whiteouts and opaque dirs. */
export async function readMergedFile(layers: readonly LayerView[], path: string): Promise<Buffer | undefined> {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  for (const layer of layers) {
    const opaque = new Set(layer.opaqueDirs);
    let cur = layer.diffDir;
    let hidesBelow = opaque.has('');
    let missing = false;
    for (let i = 0; i < parts.length; i++) {
      cur = join(cur, parts[i]!);
      const st = await lstat(cur).catch(() => undefined);
      if (st === undefined) {
        missing = true;
        break;
      }
      if (st.isCharacterDevice() && st.rdev === 0) return undefined;
      if (i < parts.length - 1) {
        if (!st.isDirectory()) return undefined;
        if (opaque.has(parts.slice(0, i + 1).join('/'))) hidesBelow = true;
        continue;
      }
      return st.isFile() ? readFile(cur) : undefined;
    }
    if (missing && hidesBelow) return undefined;
  }
  return undefined;
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

function table(text: string | undefined): string[][] {
  return (text ?? '').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => l.split(':'));
}

/** Resolves `user[:group]` (names or numbers) as Docker does; names need the image's passwd/group files. */
export async function resolveUser(spec: string | undefined, layers: readonly LayerView[]): Promise<ResolvedUser> {
  const [userPart = '', groupPart] = (spec ?? '').split(':', 2);
  const passwd = table((await readMergedFile(layers, 'etc/passwd'))?.toString('utf8'));
  const groups = table((await readMergedFile(layers, 'etc/group'))?.toString('utf8'));
  const numeric = (s: string): boolean => /^\d+$/.test(s);

  let uid = 0;
  let gid = 0;
  let userName: string | undefined;
  if (userPart === '') userName = passwd.find((p) => p[2] === '0')?.[0];
  else {
    const entry = passwd.find((p) => p[0] === userPart) ?? (numeric(userPart) ? passwd.find((p) => p[2] === userPart) : undefined);
    if (entry === undefined && !numeric(userPart)) throw new Error(`unable to find user ${userPart}: no matching entries in passwd file`);
    uid = entry !== undefined ? parseInt(entry[2] ?? '0', 10) : parseInt(userPart, 10);
    gid = entry !== undefined ? parseInt(entry[3] ?? '0', 10) : 0;
    userName = entry?.[0];
  }
  if (groupPart !== undefined && groupPart !== '') {
    const g = groups.find((e) => e[0] === groupPart) ?? (numeric(groupPart) ? groups.find((e) => e[2] === groupPart) : undefined);
    if (g === undefined && !numeric(groupPart)) throw new Error(`unable to find group ${groupPart}: no matching entries in group file`);
    gid = g !== undefined ? parseInt(g[2] ?? '0', 10) : parseInt(groupPart, 10);
  }
  const additionalGids =
    userName === undefined
      ? []
      : groups
          .filter((g) => (g[3] ?? '').split(',').includes(userName))
          .map((g) => parseInt(g[2] ?? '', 10))
          .filter((n) => Number.isInteger(n) && n !== gid)
          .sort((a, b) => a - b);
  return { uid, gid, additionalGids: [...new Set(additionalGids)] };
}
