import { setTimeout as delay } from 'node:timers/promises';
import { CommandError } from '../errors/diagnostic.js';
import type { Engine } from '../engine/engine.js';
import type { EventSink } from '../events/events.js';
import type { DependsOn } from '../model/project.js';
import type { Limiter } from './limiter.js';

export class DependencyError extends CommandError {
  constructor(message: string) {
    super(message);
    this.name = 'DependencyError';
  }
}

const POLL_MS = 500;

async function lastLogLine(engine: Engine, id: string): Promise<string | undefined> {
  let last: string | undefined;
  try {
    for await (const line of engine.logs(id, { follow: false, tail: 1, timestamps: false })) last = line.text;
  } catch {
    // The log line is a hint only.
  }
  return last;
}

/** Waits until every container of a dependency is healthy; rejects with compose's messages. */
export async function waitHealthy(engine: Engine, limiter: Limiter, events: EventSink, dependent: string, containers: ReadonlyArray<{ id: string; name: string }>, signal?: AbortSignal): Promise<void> {
  await Promise.all(
    containers.map(async (c) => {
      let announced = false;
      let lastDetail: string | undefined;
      for (;;) {
        const d = await limiter.run(() => engine.inspectContainer(c.id));
        if (d.state === 'exited' || d.state === 'dead') throw new DependencyError(`container ${c.name} exited (${d.exitCode})`);
        if (d.health === undefined) throw new DependencyError(`container ${c.name} has no healthcheck configured`);
        if (d.health === 'unhealthy') throw new DependencyError(`dependency failed to start: container ${c.name} is unhealthy`);
        if (d.health === 'healthy') {
          if (announced) events({ type: 'resource', kind: 'container', name: c.name, status: 'Healthy' });
          return;
        }
        const line = await lastLogLine(engine, c.id);
        const detail = `${dependent} waits for ${c.name} to be healthy${line !== undefined ? `; last log: ${line}` : ''}`;
        // Only news is reported: the first wait and each new last log line.
        if (detail !== lastDetail) events({ type: 'resource', kind: 'container', name: c.name, status: 'Waiting', detail });
        lastDetail = detail;
        announced = true;
        await delay(POLL_MS, undefined, signal !== undefined ? { signal } : {});
      }
    }),
  );
}

/** Waits until every container of a dependency exited with 0. */
export async function waitCompleted(engine: Engine, events: EventSink, service: string, containers: ReadonlyArray<{ id: string; name: string }>, signal?: AbortSignal): Promise<void> {
  await Promise.all(
    containers.map(async (c) => {
      events({ type: 'resource', kind: 'container', name: c.name, status: 'Waiting', detail: `waiting for ${c.name} to complete` });
      const code = await engine.waitContainer(c.id, signal);
      events({ type: 'resource', kind: 'container', name: c.name, status: 'Exited', detail: `exit ${code}` });
      if (code !== 0) throw new DependencyError(`service "${service}" didn't complete successfully: exit ${code}`);
    }),
  );
}

/** Waits for one depends_on condition; `required: false` turns a failure into a warning. */
export async function waitCondition(
  engine: Engine,
  limiter: Limiter,
  events: EventSink,
  dependent: string,
  dependency: string,
  cond: DependsOn,
  containers: ReadonlyArray<{ id: string; name: string }>,
  signal?: AbortSignal,
): Promise<void> {
  try {
    switch (cond.condition) {
      case 'service_started':
        return;
      case 'service_healthy':
        return await waitHealthy(engine, limiter, events, dependent, containers, signal);
      case 'service_completed_successfully':
        return await waitCompleted(engine, events, dependency, containers, signal);
    }
  } catch (err) {
    if (cond.required || !(err instanceof DependencyError)) throw err;
    events({ type: 'warning', message: `optional dependency "${dependency}" of "${dependent}" failed: ${err.message}` });
  }
}
