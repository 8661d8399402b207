/**
 * Noticing that a container stopped, and cleaning up after it. No process waits on containers:
 * whoever looks next (a command, or the monitor) sees conmon's exit file (or a dead conmon, or
 * a new boot) and "reaps": records exit code and time, deletes the runtime container, tears the
 * network down, unmounts the root file system, and decides about a restart.
 */
import { stat } from 'node:fs/promises';
import { EngineError } from '../engine-error.js';
import type { Core } from './core.js';
import { processAlive } from './image/store-lock.js';
import { decideRestart } from './monitor/restart-policy.js';
import { containerPaths } from './paths.js';
import { readExit } from './runtime/conmon.js';
import type { ContainerRuntimeState, StoredContainer } from './state/container-record.js';
import { unmountOverlay } from './state/overlay.js';

const LIVE = new Set(['running', 'paused']);

/** Undoes a start: runtime container, network, root file system mount. Idempotent. */
export async function releaseContainer(core: Core, c: StoredContainer): Promise<void> {
  const files = containerPaths(core.paths, c.record.id);
  const errors: unknown[] = [];
  const attempt = async (fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      errors.push(err);
    }
  };
  await attempt(async () => (await core.runtime()).delete(c.record.id, true));
  await attempt(() => core.network.teardownContainer(c.record.id));
  await attempt(() => unmountOverlay(files.rootfs));
  if (errors.length > 0) throw errors[0];
}

/** Whether a container the state calls live has in fact stopped. */
async function hasStopped(core: Core, c: StoredContainer): Promise<boolean> {
  const st = c.state;
  if (!LIVE.has(st.status)) return false;
  if (st.bootId !== undefined && st.bootId !== (await core.bootId())) return true;
  const files = containerPaths(core.paths, c.record.id);
  if (await stat(`${files.exitDir}/${c.record.id}`).then(() => true, () => false)) return true;
  return st.conmonPid !== undefined && !processAlive(st.conmonPid);
}

/**
 * Brings one container's state up to date; returns the (possibly new) state. Cheap when
 * nothing changed: one stat and one kill(0).
 */
export async function refresh(core: Core, c: StoredContainer): Promise<ContainerRuntimeState> {
  if (!(await hasStopped(core, c))) return c.state;
  let died: { exitCode: number; oomKilled: boolean } | undefined;
  const state = await core.containers.withLock(c.record.id, async () => {
    const current = await core.containers.readState(c.record.id);
    const fresh = { record: c.record, state: current };
    if (!(await hasStopped(core, fresh))) return current;
    const files = containerPaths(core.paths, c.record.id);
    const newBoot = current.bootId !== undefined && current.bootId !== (await core.bootId());
    let exit = newBoot ? undefined : await readExit({ id: c.record.id, exitDir: files.exitDir, persistDir: files.persist });
    if (exit === undefined && !newBoot) {
      // conmon died without writing an exit file: nothing supervises the process any more.
      const runtime = await core.runtime();
      await runtime.kill(c.record.id, 'SIGKILL').catch(() => undefined);
      exit = { exitCode: 137, finishedAt: new Date().toISOString(), oomKilled: false };
    }
    const finished = exit ?? { exitCode: 255, finishedAt: new Date().toISOString(), oomKilled: false };
    await releaseContainer(core, fresh).catch(() => undefined);
    const decision = decideRestart(c.record.spec.restartPolicy, {
      exitCode: finished.exitCode, restartCount: current.restartCount, stoppedByUser: current.stoppedByUser,
      lastStartedAt: Date.parse(current.startedAt ?? c.record.created), exitedAt: Date.parse(finished.finishedAt),
      engineRestart: newBoot,
    });
    died = { exitCode: finished.exitCode, oomKilled: finished.oomKilled };
    const next: ContainerRuntimeState = {
      ...current,
      status: decision.restart ? 'restarting' : 'exited',
      exitCode: finished.exitCode,
      finishedAt: finished.finishedAt,
      oomKilled: finished.oomKilled,
      networks: {},
      ports: [],
      ...(decision.restart ? { restartAt: Date.now() + decision.delayMs } : {}),
    };
    delete next.pid;
    delete next.conmonPid;
    await core.containers.writeState(c.record.id, next);
    return next;
  });
  if (died !== undefined) {
    const d: { exitCode: number; oomKilled: boolean } = died;
    if (d.oomKilled) await core.emit('container', 'oom', c.record.id, { ...c.record.spec.labels, name: c.record.name, image: c.record.image });
    await core.emit('container', 'die', c.record.id, { ...c.record.spec.labels, name: c.record.name, image: c.record.image, exitCode: String(d.exitCode) });
  }
  return state;
}

/** All containers, each refreshed. */
const isNotFound = (err: unknown): boolean => err instanceof EngineError && err.kind === 'not-found';

/** All containers, each refreshed; one removed meanwhile by another command is left out. */
export async function listFresh(core: Core): Promise<StoredContainer[]> {
  const all = await core.containers.list();
  const fresh = await Promise.all(all.map(async (c) => {
    try {
      return { record: c.record, state: await refresh(core, c) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }));
  return fresh.filter((c): c is StoredContainer => c !== undefined);
}

export async function getFresh(core: Core, ref: string, operation: string): Promise<StoredContainer> {
  const c = await core.containers.get(ref, operation);
  try {
    return { record: c.record, state: await refresh(core, c) };
  } catch (err) {
    if (isNotFound(err)) throw new EngineError('not-found', operation, ref, `No such container: ${ref}`);
    throw err;
  }
}
