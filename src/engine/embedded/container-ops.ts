/** stop, kill, restart, pause, unpause, rename, remove, wait for embedded containers. */
import { rm } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { EngineError } from '../engine-error.js';
import type { Core } from './core.js';
import { getFresh, refresh, releaseContainer } from './container-exit.js';
import { startContainer, unprepareContainer } from './container-start.js';
import { containerPaths } from './paths.js';
import type { StoredContainer } from './state/container-record.js';

const POLL_MS = 25;

function attrs(c: StoredContainer, extra: Record<string, string> = {}): Record<string, string> {
  return { ...c.record.spec.labels, name: c.record.name, image: c.record.image, ...extra };
}

const isLive = (status: string): boolean => status === 'running' || status === 'paused';

/** Polls until the container is no longer running (reaped), or `deadline` (ms) passes. */
async function waitStopped(core: Core, c: StoredContainer, deadline: number, signal?: AbortSignal): Promise<boolean> {
  for (;;) {
    const current = await core.containers.readState(c.record.id).catch(() => undefined);
    // Removed by another command meanwhile: certainly not running any more.
    if (current === undefined) return true;
    const state = await refresh(core, { record: c.record, state: current });
    if (!isLive(state.status)) return true;
    if (Date.now() >= deadline) return false;
    signal?.throwIfAborted();
    await delay(POLL_MS);
  }
}

function normalizeSignal(sig: string): string {
  const s = sig.toUpperCase();
  if (/^\d+$/.test(s)) return s;
  return s.startsWith('SIG') ? s : `SIG${s}`;
}

export async function stopContainer(core: Core, ref: string, timeoutSeconds?: number): Promise<void> {
  const c = await getFresh(core, ref, 'stop container');
  if (c.state.status === 'restarting' || c.state.status === 'created') {
    if (c.state.status === 'restarting') {
      await core.containers.update(c.record.id, (s) => ({ ...s, status: 'exited', stoppedByUser: true }));
    }
    return;
  }
  if (!isLive(c.state.status)) return;
  await core.containers.update(c.record.id, (s) => ({ ...s, stoppedByUser: true }));
  const runtime = await core.runtime();
  if (c.state.status === 'paused') await runtime.resume(c.record.id).catch(() => undefined);
  const grace = (timeoutSeconds ?? c.record.stopTimeoutSeconds) * 1000;
  await runtime.kill(c.record.id, normalizeSignal(c.record.stopSignal)).catch(() => undefined);
  if (!(await waitStopped(core, c, Date.now() + grace))) {
    await runtime.kill(c.record.id, 'SIGKILL').catch(() => undefined);
    await waitStopped(core, c, Date.now() + 30_000);
  }
  await core.emit('container', 'stop', c.record.id, attrs(c));
}

export async function killContainer(core: Core, ref: string, signal = 'SIGKILL'): Promise<void> {
  const c = await getFresh(core, ref, 'kill container');
  if (!isLive(c.state.status)) {
    throw new EngineError('conflict', 'kill container', ref, `Cannot kill container: ${ref}: container ${c.record.id} is not running`);
  }
  const sig = normalizeSignal(signal);
  if (sig === 'SIGKILL' || sig === '9') await core.containers.update(c.record.id, (s) => ({ ...s, stoppedByUser: true }));
  await (await core.runtime()).kill(c.record.id, sig);
  await core.emit('container', 'kill', c.record.id, attrs(c, { signal: sig }));
  if (sig === 'SIGKILL' || sig === '9') await waitStopped(core, c, Date.now() + 10_000);
}

export async function restartContainer(core: Core, ref: string, timeoutSeconds?: number): Promise<void> {
  await stopContainer(core, ref, timeoutSeconds);
  await startContainer(core, ref);
  const c = await core.containers.get(ref, 'restart container');
  await core.emit('container', 'restart', c.record.id, attrs(c));
}

export async function pauseContainer(core: Core, ref: string): Promise<void> {
  const c = await getFresh(core, ref, 'pause container');
  if (c.state.status !== 'running') throw new EngineError('conflict', 'pause container', ref, `Container ${c.record.id} is not running`);
  await (await core.runtime()).pause(c.record.id);
  await core.containers.update(c.record.id, (s) => ({ ...s, status: 'paused' }));
  await core.emit('container', 'pause', c.record.id, attrs(c));
}

export async function unpauseContainer(core: Core, ref: string): Promise<void> {
  const c = await getFresh(core, ref, 'unpause container');
  if (c.state.status !== 'paused') throw new EngineError('conflict', 'unpause container', ref, `Container ${c.record.id} is not paused`);
  await (await core.runtime()).resume(c.record.id);
  await core.containers.update(c.record.id, (s) => ({ ...s, status: 'running' }));
  await core.emit('container', 'unpause', c.record.id, attrs(c));
}

export async function renameContainer(core: Core, ref: string, name: string): Promise<void> {
  const c = await core.containers.get(ref, 'rename container');
  const clean = name.replace(/^\//, '');
  // Peers would learn the old name from a container prepared under it.
  await unprepareContainer(core, c.record.id);
  await core.containers.rename(c.record.id, clean);
  await core.emit('container', 'rename', c.record.id, attrs(c, { name: clean, oldName: c.record.name }));
}

/** Anonymous volumes a container used, unless another container still mounts them. */
async function removeAnonymousVolumes(core: Core, c: StoredContainer): Promise<void> {
  const others = (await core.containers.list()).filter((o) => o.record.id !== c.record.id);
  for (const m of c.record.mounts) {
    if (m.type !== 'volume' || m.name === undefined || !/^[0-9a-f]{64}$/.test(m.name)) continue;
    if (others.some((o) => o.record.mounts.some((om) => om.type === 'volume' && om.name === m.name))) continue;
    const info = await core.volumes.inspect(m.name).catch(() => undefined);
    if (info !== undefined) await core.volumes.remove(m.name, []).catch(() => undefined);
  }
}

export async function removeContainer(core: Core, ref: string, opts: { force: boolean; volumes: boolean }): Promise<void> {
  const c = await getFresh(core, ref, 'remove container');
  if (isLive(c.state.status) || c.state.status === 'restarting') {
    if (!opts.force) {
      throw new EngineError('conflict', 'remove container', ref,
        `cannot remove container "/${c.record.name}": container is running: stop the container before removing or force remove`);
    }
    await core.containers.update(c.record.id, (s) => ({ ...s, stoppedByUser: true }));
    if (isLive(c.state.status)) {
      const runtime = await core.runtime();
      if (c.state.status === 'paused') await runtime.resume(c.record.id).catch(() => undefined);
      await runtime.kill(c.record.id, 'SIGKILL').catch(() => undefined);
      await waitStopped(core, c, Date.now() + 10_000);
    }
  }
  await core.containers.update(c.record.id, (s) => ({ ...s, status: 'removing' }));
  await releaseContainer(core, c).catch(() => undefined);
  if (opts.volumes) await removeAnonymousVolumes(core, c);
  await core.containers.remove(c.record.id);
  await rm(containerPaths(core.paths, c.record.id).dir, { recursive: true, force: true });
  await core.emit('container', 'destroy', c.record.id, attrs(c));
}

/** Resolves with the exit code once the container is not running (Docker's `not-running` condition). */
export async function waitContainer(core: Core, ref: string, signal?: AbortSignal): Promise<number> {
  const first = await core.containers.get(ref, 'wait container');
  for (;;) {
    signal?.throwIfAborted();
    const current = await core.containers.readState(first.record.id).catch(() => undefined);
    if (current === undefined) throw new EngineError('not-found', 'wait container', ref, `No such container: ${ref}`);
    const state = await refresh(core, { record: first.record, state: current });
    if (state.status === 'exited' || state.status === 'dead' || state.status === 'created') return state.exitCode;
    await delay(POLL_MS * 2, undefined, signal !== undefined ? { signal } : {});
  }
}
