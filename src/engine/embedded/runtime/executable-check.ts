/**
 * With an init (/dev/init -- cmd …) the runtime only checks that the init exists, so a missing
 * command would only show up as the init's complaint after start. This looks the command up in
 * the rootfs the way execvp would (PATH from the process env), so create can fail clearly.
 */
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { isAbsolute, join, posix } from 'node:path';
import type { OciSpec } from './oci-spec.js';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// Synchronous file system calls: a few lstat-sized calls per PATH entry, cheaper than the
// thread pool round trips of async ones (one `up` checks every container).

function readlinkOrUndefined(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** Resolves `path` (absolute, inside the container) against `rootfs`, following symlinks without leaving it. */
function resolveInRoot(rootfs: string, path: string, depth = 0): string | undefined {
  if (depth > 40) return undefined;
  const parts = posix.normalize(path).split('/').filter((p) => p !== '');
  let current = '/';
  for (let i = 0; i < parts.length; i++) {
    const next = posix.join(current, parts[i] ?? '');
    const target = readlinkOrUndefined(join(rootfs, next));
    if (target === undefined) {
      current = next;
      continue;
    }
    const rest = parts.slice(i + 1).join('/');
    const base = isAbsolute(target) ? target : posix.join(current, target);
    return resolveInRoot(rootfs, posix.join(base, rest), depth + 1);
  }
  return join(rootfs, current);
}

function isExecutableFile(rootfs: string, path: string): boolean {
  const real = resolveInRoot(rootfs, path);
  if (real === undefined) return false;
  const st = statSync(real, { throwIfNoEntry: false });
  return st !== undefined && st.isFile() && (st.mode & 0o111) !== 0;
}

/** The command name when the bundle runs an init and the command is not in the rootfs; else undefined. */
export function missingExecutable(bundleDir: string): Promise<string | undefined> {
  let spec: OciSpec;
  try {
    spec = JSON.parse(readFileSync(join(bundleDir, 'config.json'), 'utf8')) as OciSpec;
  } catch {
    return Promise.resolve(undefined);
  }
  return Promise.resolve(missingIn(bundleDir, spec));
}

function missingIn(bundleDir: string, spec: OciSpec): string | undefined {
  const args = spec.process.args;
  if (args[0] !== '/dev/init' || args[1] !== '--') return undefined;
  const cmd = args[2];
  if (cmd === undefined || cmd === '') return undefined;
  const rootfs = isAbsolute(spec.root.path) ? spec.root.path : join(bundleDir, spec.root.path);
  // Mounts may provide the command (e.g. a bind-mounted script); leave those to the init to judge.
  if (spec.mounts.some((m) => m.destination !== '/' && (cmd.startsWith(`${m.destination}/`)))) return undefined;
  if (cmd.includes('/')) return isExecutableFile(rootfs, posix.resolve(spec.process.cwd || '/', cmd)) ? undefined : cmd;
  const pathVar = spec.process.env.find((e) => e.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH;
  for (const dir of pathVar.split(':')) {
    if (dir !== '' && isExecutableFile(rootfs, posix.join(dir, cmd))) return undefined;
  }
  return cmd;
}
