/**
 * Where the embedded engine keeps things. Persistent state lives under `root` (BERTH_ROOT,
 * default /var/lib/berth); per-boot state (runtime state, conmon sockets) under a directory in
 * /run that a reboot clears, named after the root so two roots never share it.
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';

export const DEFAULT_ROOT = '/var/lib/berth';

export interface EmbeddedPaths {
  root: string;
  /** The image store's root (ImageStore.open({ root }) adds `image/` itself). */
  storeRoot: string;
  containers: string;
  volumes: string;
  networks: string;
  /** Append-only event log (JSON lines). */
  events: string;
  /** Per-boot state: cleared by a reboot. */
  run: string;
  /** `--root` of crun/runc. */
  runtimeRoot: string;
  /** conmon's `--socket-dir-path`. */
  sockets: string;
}

export function embeddedPaths(root: string, runBase = '/run/berth'): EmbeddedPaths {
  const abs = resolve(root);
  const run = join(runBase, createHash('sha256').update(abs).digest('hex').slice(0, 12));
  return {
    root: abs,
    storeRoot: abs,
    containers: join(abs, 'containers'),
    volumes: join(abs, 'volumes'),
    networks: join(abs, 'networks'),
    events: join(abs, 'events.jsonl'),
    run,
    runtimeRoot: join(run, 'runtime'),
    sockets: join(run, 'sockets'),
  };
}

/** Files of one container: `<containers>/<id>/…`. */
export function containerPaths(paths: EmbeddedPaths, id: string): {
  dir: string; config: string; state: string; bundle: string; rootfs: string; upper: string; work: string;
  log: string; exitDir: string; persist: string; pidFile: string; conmonPidFile: string; hosts: string; resolvConf: string; hostname: string;
} {
  const dir = join(paths.containers, id);
  return {
    dir,
    config: join(dir, 'config.json'),
    state: join(dir, 'state.json'),
    bundle: join(dir, 'bundle'),
    rootfs: join(dir, 'rootfs'),
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    log: join(dir, 'container.log'),
    exitDir: join(dir, 'exits'),
    persist: join(dir, 'persist'),
    pidFile: join(dir, 'pid'),
    conmonPidFile: join(dir, 'conmon.pid'),
    hosts: join(dir, 'hosts'),
    resolvConf: join(dir, 'resolv.conf'),
    hostname: join(dir, 'hostname'),
  };
}
