/**
 * What the embedded engine needs from the host, checked once per process with messages that
 * say what to install. Rootless operation is a later step: everything here needs root.
 */
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { EngineError } from '../engine-error.js';

/** Binary → Debian package providing it. (iptables is optional: without it ports go through a userland proxy.) */
const REQUIRED: ReadonlyArray<readonly [string, string]> = [
  ['conmon', 'conmon'],
  ['ip', 'iproute2'],
  ['mount', 'mount'],
];

/** Looks `name` up on PATH (plus the sbin directories root has). */
export async function findBinary(name: string, pathEnv: string | undefined, systemDirs = true): Promise<string | undefined> {
  const dirs = [...(pathEnv ?? '').split(delimiter), ...(systemDirs ? ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'] : [])];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}

export interface HostTools {
  init?: string;
}

/**
 * Throws an `unavailable` EngineError naming every missing Debian package (all at once), or
 * the need for root. Returns optional tools found (an init for `init: true`).
 */
export async function checkHost(pathEnv: string | undefined, uid: number, systemDirs = true): Promise<HostTools> {
  const find = (name: string): Promise<string | undefined> => findBinary(name, pathEnv, systemDirs);
  if (uid !== 0) {
    throw new EngineError('unavailable', 'start embedded engine', 'embedded',
      'the embedded engine needs root (rootless operation is not supported yet); run berth as root, or use --engine docker');
  }
  const missing: string[] = [];
  for (const [bin, pkg] of REQUIRED) if ((await find(bin)) === undefined) missing.push(`${bin} (package ${pkg})`);
  if ((await find('crun')) === undefined && (await find('runc')) === undefined) missing.push('crun or runc (package crun)');
  if (missing.length > 0) {
    const pkgs = missing.map((m) => /package ([^)]+)/.exec(m)?.[1] ?? m);
    throw new EngineError('unavailable', 'start embedded engine', 'embedded',
      `the embedded engine needs ${missing.join(', ')}: install them with apt-get install ${[...new Set(pkgs)].join(' ')}`);
  }
  const init = (await find('catatonit')) ?? (await find('tini'));
  return init === undefined ? {} : { init };
}
