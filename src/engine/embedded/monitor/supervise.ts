/**
 * The monitor's loop: reap exited containers (which decides restarts), start the ones whose
 * back-off elapsed, and probe healthchecks on their schedule.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Core } from '../core.js';
import { refresh } from '../container-exit.js';
import { startContainer } from '../container-start.js';
import type { StoredContainer } from '../state/container-record.js';
import { applyProbe, nextProbeDelay, probeCommand } from './health.js';

const TICK_MS = 100;
const IDLE_EXIT_MS = 3_000;

interface ProbeSchedule {
  startedAt: string;
  nextAt: number;
  busy: boolean;
}

function needsWatching(c: StoredContainer): boolean {
  const live = c.state.status === 'running' || c.state.status === 'paused' || c.state.status === 'restarting';
  return live && (c.record.spec.restartPolicy.name !== 'no' || c.record.healthcheck !== undefined);
}

async function probe(core: Core, c: StoredContainer): Promise<{ exitCode: number; output: string; start: string; end: string; timedOut: boolean }> {
  const hc = c.record.healthcheck!;
  const args = probeCommand(hc)!;
  const timeoutMs = hc.timeoutMs ?? 30_000;
  const start = new Date().toISOString();
  const runtime = await core.runtime();
  const user = await core.images.resolveUser(c.record.imageId, c.record.process.user === '' ? undefined : c.record.process.user).catch(() => ({ uid: 0, gid: 0, additionalGids: [] }));
  const child = runtime.exec(c.record.id, { args, cwd: c.record.process.cwd, user, tty: false, detach: false });
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (d: Buffer) => chunks.push(d));
  child.stderr?.on('data', (d: Buffer) => chunks.push(d));
  child.stdin?.end();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const exitCode = await new Promise<number>((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', (code) => resolve(code ?? -1));
  });
  clearTimeout(timer);
  return { exitCode: timedOut ? -1 : exitCode, output: Buffer.concat(chunks).toString('utf8'), start, end: new Date().toISOString(), timedOut };
}

async function runProbe(core: Core, c: StoredContainer, schedule: ProbeSchedule): Promise<void> {
  const result = await probe(core, c);
  let changed: string | undefined;
  await core.containers.update(c.record.id, (s) => {
    if (s.status !== 'running' || s.startedAt !== schedule.startedAt) return s;
    const health = applyProbe(s.health, result, c.record.healthcheck!, Date.parse(schedule.startedAt));
    if (health.status !== s.health?.status) changed = health.status;
    return { ...s, health };
  });
  if (changed !== undefined) {
    await core.emit('container', `health_status: ${changed}`, c.record.id, { ...c.record.spec.labels, name: c.record.name, image: c.record.image });
  }
  const fresh = await core.containers.readState(c.record.id).catch(() => undefined);
  schedule.nextAt = Date.now() + nextProbeDelay(c.record.healthcheck!, fresh?.health, Date.now(), Date.parse(schedule.startedAt));
}

export async function anythingToWatch(core: Core): Promise<boolean> {
  return (await core.containers.list()).some(needsWatching);
}

/** Runs until nothing needs watching for a while. */
export async function supervise(core: Core, log: (line: string) => void): Promise<void> {
  const schedules = new Map<string, ProbeSchedule>();
  let idleSince = Date.now();
  for (;;) {
    const all = await core.containers.list();
    let watching = false;
    for (const listed of all) {
      try {
        const state = await refresh(core, listed);
        const c = { record: listed.record, state };
        if (needsWatching(c)) watching = true;
        if (state.status === 'restarting' && (state.restartAt ?? 0) <= Date.now()) {
          await startContainer(core, c.record.id, { policyRestart: true }).catch((err: unknown) => log(`restart of ${c.record.name} failed: ${err instanceof Error ? err.message : String(err)}`));
          continue;
        }
        if (state.status !== 'running' || c.record.healthcheck === undefined || probeCommand(c.record.healthcheck) === undefined) {
          schedules.delete(c.record.id);
          continue;
        }
        let schedule = schedules.get(c.record.id);
        if (schedule === undefined || schedule.startedAt !== state.startedAt) {
          const startedAt = state.startedAt ?? new Date().toISOString();
          schedule = { startedAt, busy: false, nextAt: Date.parse(startedAt) + nextProbeDelay(c.record.healthcheck, state.health, Date.now(), Date.parse(startedAt)) };
          schedules.set(c.record.id, schedule);
        }
        if (!schedule.busy && schedule.nextAt <= Date.now()) {
          schedule.busy = true;
          const s = schedule;
          void runProbe(core, c, s).catch((err: unknown) => {
            log(`healthcheck of ${c.record.name} failed: ${err instanceof Error ? err.message : String(err)}`);
            s.nextAt = Date.now() + 1000;
          }).finally(() => { s.busy = false; });
        }
      } catch (err) {
        log(`${listed.record.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    for (const id of schedules.keys()) if (!all.some((c) => c.record.id === id)) schedules.delete(id);
    if (watching || [...schedules.values()].some((s) => s.busy)) idleSince = Date.now();
    else if (Date.now() - idleSince > IDLE_EXIT_MS) return;
    await delay(TICK_MS);
  }
}
