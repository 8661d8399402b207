import { setTimeout as delay } from 'node:timers/promises';
import { LABEL } from '../../model/labels.js';
import type { ProjectContext } from '../context.js';
import { LifecycleError, projectContainers } from './common.js';

function formatSeconds(s: number): string {
  return `${s}s`;
}

/**
 * `--wait`: every container of `services` running (healthy when it has a healthcheck), or,
 * for services another one needs with service_completed_successfully, exited with 0.
 */
export async function waitReady(ctx: ProjectContext, services: readonly string[], timeoutSeconds?: number): Promise<void> {
  const { project, engine } = ctx;
  const completes = new Set(
    Object.values(project.services).flatMap((s) => Object.entries(s.depends_on ?? {}).filter(([, d]) => d.condition === 'service_completed_successfully').map(([n]) => n)),
  );
  const deadline = timeoutSeconds !== undefined && timeoutSeconds > 0 ? Date.now() + timeoutSeconds * 1000 : Infinity;
  const pending = new Set(services);
  const announced = new Set<string>();
  for (;;) {
    const containers = await projectContainers(engine, project.name, { services: [...pending] });
    for (const svc of [...pending].sort()) {
      const mine = containers.filter((c) => c.labels[LABEL.service] === svc);
      const details = await Promise.all(mine.map((c) => engine.inspectContainer(c.id)));
      let ready = true;
      for (const d of details) {
        if (completes.has(svc)) {
          if (d.state === 'exited' && d.exitCode !== 0) throw new LifecycleError(`service "${svc}" didn't complete successfully: exit ${d.exitCode}`);
          if (d.state !== 'exited') ready = false;
          continue;
        }
        if (d.state === 'exited' || d.state === 'dead') throw new LifecycleError(`container ${d.name} exited (${d.exitCode})`);
        if (d.health === 'unhealthy') throw new LifecycleError(`container ${d.name} is unhealthy`);
        if (d.state !== 'running' || (d.health !== undefined && d.health !== 'healthy')) ready = false;
      }
      if (ready) {
        pending.delete(svc);
        for (const d of details) ctx.events({ type: 'resource', kind: 'container', name: d.name, status: d.health === 'healthy' ? 'Healthy' : d.state === 'exited' ? 'Exited' : 'Running' });
      } else if (!announced.has(svc)) {
        announced.add(svc);
        for (const d of details) ctx.events({ type: 'resource', kind: 'container', name: d.name, status: 'Waiting' });
      }
    }
    if (pending.size === 0) return;
    if (Date.now() >= deadline) {
      throw new LifecycleError(`application not healthy after ${formatSeconds(timeoutSeconds ?? 0)}: ${[...pending].sort().join(', ')} not ready`);
    }
    await delay(500, undefined, ctx.signal !== undefined ? { signal: ctx.signal } : {});
  }
}
