/**
 * Crash and reboot recovery, run once per process before the first change: containers whose
 * supervisor died or whose boot is gone are reaped, interrupted removals finished, half-created
 * container directories and stale mounts cleaned, and network leftovers removed.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Core } from './core.js';
import { refresh, releaseContainer } from './container-exit.js';
import { ensureMonitor } from './monitor/launch.js';
import { containerPaths } from './paths.js';
import { listMountsUnder, unmountOverlay } from './state/overlay.js';

/** A container directory without a record this old is a create that never finished. */
const HALF_CREATED_MS = 60_000;

const done = new WeakMap<Core, Promise<void>>();

export function recoverOnce(core: Core): Promise<void> {
  let p = done.get(core);
  if (p === undefined) {
    p = recover(core);
    done.set(core, p);
  }
  return p;
}

/**
 * The network check costs a few tool runs, so it runs once per boot (bridges and rules are
 * gone after a reboot) and whenever an endpoint record outlived its container (a crash).
 */
async function networkNeedsRecovery(core: Core): Promise<boolean> {
  const marker = await readFile(join(core.paths.run, 'network-recovered'), 'utf8').catch(() => '');
  if (marker.trim() !== (await core.bootId())) return true;
  const endpoints = await readdir(join(core.paths.networks, 'endpoints')).catch(() => [] as string[]);
  return endpoints.some((f) => f.endsWith('.json') && !existsSync(containerPaths(core.paths, f.slice(0, -'.json'.length)).config));
}

async function recover(core: Core): Promise<void> {
  const all = await core.containers.list();
  const known = new Set(all.map((c) => c.record.id));
  const live = new Set<string>();
  let restarting = false;
  for (const c of all) {
    if (c.state.status === 'removing') {
      await releaseContainer(core, c).catch(() => undefined);
      await core.containers.remove(c.record.id).catch(() => undefined);
      await rm(containerPaths(core.paths, c.record.id).dir, { recursive: true, force: true });
      known.delete(c.record.id);
      continue;
    }
    const state = await refresh(core, c).catch(() => c.state);
    if (state.status === 'running' || state.status === 'paused') live.add(c.record.id);
    if (state.status === 'restarting') restarting = true;
  }
  for (const name of await readdir(core.paths.containers).catch(() => [] as string[])) {
    if (known.has(name) || !/^[0-9a-f]{64}$/.test(name)) continue;
    const dir = join(core.paths.containers, name);
    const st = await stat(dir).catch(() => undefined);
    if (st !== undefined && Date.now() - st.mtimeMs > HALF_CREATED_MS) {
      await unmountOverlay(containerPaths(core.paths, name).rootfs).catch(() => undefined);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
  for (const mount of await listMountsUnder(core.paths.containers).catch(() => [] as string[])) {
    const id = mount.slice(core.paths.containers.length + 1).split('/')[0] ?? '';
    if (live.has(id) || !known.has(id)) continue;
    // Under the container's lock: a concurrent start holds it while it mounts.
    await core.containers.withLock(id, async () => {
      const st = await core.containers.readState(id);
      // A created container keeps the root file system its create mounted, and one whose runtime
      // was set up by a start (or prepare) still in use keeps it for that runtime.
      if (st.status !== 'running' && st.status !== 'paused' && st.status !== 'created' && st.prepared === undefined) await unmountOverlay(mount);
    }).catch(() => undefined);
  }
  if (await networkNeedsRecovery(core)) {
    // Only leftovers of containers that no longer exist: a container another process is
    // starting right now is `created` on disk but already has its network namespace.
    await core.network.recover((id) => existsSync(containerPaths(core.paths, id).config)).catch(() => undefined);
    await mkdir(core.paths.run, { recursive: true });
    await writeFile(join(core.paths.run, 'network-recovered'), `${await core.bootId()}\n`).catch(() => undefined);
  }
  if (restarting) await ensureMonitor(core);
}
