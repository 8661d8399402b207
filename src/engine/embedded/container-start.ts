/**
 * startContainer: sets the container up (container-bundle.ts) and runs its process; a failure
 * undoes what this start did and leaves the container `exited` with the error, as Docker does.
 * prepareContainer does the set-up ahead of the start, for containers that wait for others.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../engine-error.js';
import type { Core } from './core.js';
import { createRuntime, endpointStates, type Launched } from './container-bundle.js';
import { releaseContainer } from './container-exit.js';
import { processAlive } from './image/store-lock.js';
import { containerPaths } from './paths.js';
import type { ContainerRuntimeState, PreparedRuntime, StoredContainer } from './state/container-record.js';
import { ensureMonitor } from './monitor/launch.js';


/** Whether a container prepared ahead is still waiting under a live conmon of this boot. */
async function preparedIsUsable(core: Core, c: StoredContainer, prepared: PreparedRuntime): Promise<boolean> {
  if (prepared.bootId !== (await core.bootId()) || !processAlive(prepared.conmonPid)) return false;
  const files = containerPaths(core.paths, c.record.id);
  return !(await stat(join(files.exitDir, c.record.id)).then(() => true, () => false));
}

/** Whether a start that recorded its runtime (and was then killed) ran the process, which has since exited. */
async function ranAlready(core: Core, c: StoredContainer): Promise<boolean> {
  const p = c.state.prepared;
  if (p?.startingAt === undefined || p.bootId !== (await core.bootId())) return false;
  const files = containerPaths(core.paths, c.record.id);
  return stat(join(files.exitDir, c.record.id)).then(() => true, () => false);
}

async function launch(core: Core, c: StoredContainer): Promise<Partial<ContainerRuntimeState>> {
  const prepared = c.state.prepared;
  let launched: Launched | undefined;
  if (prepared !== undefined) {
    if (await preparedIsUsable(core, c, prepared)) {
      const net = prepared.endpoint ? await core.network.activateContainer(c.record.id) : undefined;
      launched = {
        pid: prepared.pid, conmonPid: prepared.conmonPid, endpoint: prepared.endpoint,
        networks: net !== undefined ? endpointStates(net) : {}, ports: net?.ports ?? [],
      };
    } else {
      await releaseContainer(core, c);
    }
  }
  if (launched === undefined) {
    launched = await createRuntime(core, c, false);
    const marker: PreparedRuntime = { pid: launched.pid, conmonPid: launched.conmonPid, bootId: await core.bootId(), endpoint: launched.endpoint, startingAt: new Date().toISOString() };
    await core.containers.update(c.record.id, (s) => ({ ...s, prepared: marker }), { locked: true, volatile: true });
  }
  const runtime = await core.runtime();
  try {
    await runtime.start(c.record.id);
  } catch (err) {
    // A start killed right after this step left the process running: that is the goal.
    if ((await runtime.state(c.record.id).catch(() => undefined))?.status !== 'running') throw err;
  }
  return {
    status: 'running', pid: launched.pid, conmonPid: launched.conmonPid, bootId: await core.bootId(), startedAt: new Date().toISOString(),
    networks: launched.networks, ports: launched.ports,
  };
}

export function needsMonitor(record: StoredContainer['record']): boolean {
  return record.spec.restartPolicy.name !== 'no' || record.healthcheck !== undefined;
}

export interface StartOptions {
  /**
   * A restart by the restart policy: done only if the container is still `restarting` and its
   * back-off has elapsed when the lock is held, and counted in the same state write that records
   * the outcome, so a monitor killed half-way (or two monitors) never counts a restart twice.
   */
  policyRestart?: boolean;
}

/** Starts a created or exited container; a running one is left alone. */
export async function startContainer(core: Core, ref: string, opts: StartOptions = {}): Promise<void> {
  const found = await core.containers.get(ref, 'start container');
  const id = found.record.id;
  let started = false;
  await core.containers.withLock(id, async () => {
    const c = { record: found.record, state: await core.containers.readState(id) };
    if (c.state.status === 'running' || c.state.status === 'paused') return;
    if (opts.policyRestart === true && (c.state.status !== 'restarting' || (c.state.restartAt ?? 0) > Date.now())) return;
    const counted = opts.policyRestart === true ? { restartCount: c.state.restartCount + 1 } : {};
    if (opts.policyRestart === true && (await ranAlready(core, c))) {
      // A monitor killed after it ran the process, before it recorded that: the restart
      // happened. Record it as it was; the next look reaps its exit and applies the policy again.
      const p = c.state.prepared!;
      await core.containers.update(id, (s) => withoutPrepared({
        ...s, ...counted, status: 'running', pid: p.pid, conmonPid: p.conmonPid, bootId: p.bootId, startedAt: p.startingAt!,
        exitCode: 0, oomKilled: false, stoppedByUser: false,
      }), { locked: true });
      started = true;
      return;
    }
    // The monitor is running before the container is: a berth killed right after the start
    // cannot leave a container whose healthcheck or restart policy nobody applies.
    if (needsMonitor(c.record)) await ensureMonitor(core);
    try {
      const patch = await launch(core, c);
      await core.containers.update(id, (s) => withoutPrepared({
        ...s, ...patch, ...counted, exitCode: 0, oomKilled: false, stoppedByUser: false,
        ...(c.record.healthcheck !== undefined ? { health: { status: 'starting' as const, failingStreak: 0, log: s.health?.log ?? [] } } : {}),
      }), { locked: true });
      started = true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await releaseContainer(core, c).catch(() => undefined);
      await core.containers.update(id, (s) => withoutPrepared({ ...s, ...counted, status: s.status === 'created' ? 'created' : 'exited', exitCode: 127, error: message, networks: {}, ports: [] }), { locked: true });
      if (err instanceof EngineError) throw err;
      throw new EngineError('failed', 'start container', found.record.name, `start container ${found.record.name}: ${message}`, { cause: err });
    }
  });
  if (!started) return;
  await core.emit('container', 'start', id, { ...found.record.spec.labels, name: found.record.name, image: found.record.image });
  if (needsMonitor(found.record)) await ensureMonitor(core);
}

function withoutPrepared(s: ContainerRuntimeState): ContainerRuntimeState {
  const next = { ...s };
  delete next.prepared;
  return next;
}

/**
 * Does a start's work up to the last step for a container that will be started soon (after
 * its dependencies): `up` prepares every dependent container while the first ones start, so a
 * chain of dependencies costs one quick runtime start per step. The container stays `created`
 * (nothing of it runs, peers do not see it, its ports are not published) until startContainer.
 * Nothing to do for a running, or already prepared, container.
 */
export async function prepareContainer(core: Core, ref: string): Promise<void> {
  const found = await core.containers.get(ref, 'prepare container');
  const id = found.record.id;
  await core.containers.withLock(id, async () => {
    const c = { record: found.record, state: await core.containers.readState(id) };
    if (c.state.status !== 'created' && c.state.status !== 'exited') return;
    if (c.state.prepared !== undefined && (await preparedIsUsable(core, c, c.state.prepared))) return;
    if (c.state.prepared !== undefined) await releaseContainer(core, c);
    try {
      const launched = await createRuntime(core, c, true);
      const prepared: PreparedRuntime = { pid: launched.pid, conmonPid: launched.conmonPid, bootId: await core.bootId(), endpoint: launched.endpoint };
      await core.containers.update(id, (s) => ({ ...s, prepared }), { locked: true, volatile: true });
    } catch (err) {
      // The start redoes the work and reports what fails.
      await releaseContainer(core, c).catch(() => undefined);
      await core.containers.update(id, withoutPrepared, { locked: true });
      throw err;
    }
  });
}

/** Undoes a prepare (before a change the prepared runtime would not reflect). Holds the container's lock. */
export async function unprepareContainer(core: Core, id: string): Promise<void> {
  await core.containers.withLock(id, async () => {
    const state = await core.containers.readState(id);
    if (state.prepared === undefined) return;
    const record = (await core.containers.get(id, 'prepare container')).record;
    await releaseContainer(core, { record, state });
    await core.containers.update(id, withoutPrepared, { locked: true });
  });
}
