import type { ProgressEvent } from '../engine/engine.js';
import type { EventSink } from '../events/events.js';
import { serviceImage } from '../reconcile/naming.js';
import { selectServices } from '../reconcile/plan.js';
import type { ProjectContext } from './context.js';
import { createLimiter } from './lifecycle/common.js';

export interface PullOptions {
  services: string[];
  ignoreBuildable: boolean;
  ignorePullFailures: boolean;
  includeDeps: boolean;
  /** `--policy`: `missing` pulls only absent images; `always` (default) pulls every image. */
  policy?: 'missing' | 'always';
  quiet: boolean;
}

export function progressForwarder(events: EventSink, quiet: boolean): (e: ProgressEvent) => void {
  return (e) => {
    if (quiet) return;
    if (e.kind === 'pull') {
      events({ type: 'progress', kind: 'pull', name: e.image, detail: `${e.layer !== undefined ? `${e.layer} ` : ''}${e.status}`, ...(e.current !== undefined ? { current: e.current } : {}), ...(e.total !== undefined ? { total: e.total } : {}) });
    } else events({ type: 'progress', kind: 'build', name: e.image, detail: e.kind === 'build' ? e.line : e.step });
  };
}

/** `pull`: pulls the images of the services. Returns the images pulled. */
export async function pull(ctx: ProjectContext, opts: PullOptions): Promise<string[]> {
  const { project, engine, events } = ctx;
  const limiter = createLimiter(ctx.parallel, ctx.signal);
  const names = opts.services.length === 0 ? Object.keys(project.services).sort() : selectServices(project, opts.services, !opts.includeDeps);
  const images = new Map<string, string | undefined>();
  for (const n of names) {
    const s = project.services[n]!;
    if (s.image === undefined) continue;
    if (s.build !== undefined && (opts.ignoreBuildable || s.pull_policy === 'build')) continue;
    if (s.pull_policy === 'never' && opts.policy === undefined) continue;
    images.set(serviceImage(project.name, s), s.platform);
  }
  const pulled: string[] = [];
  await Promise.all(
    [...images.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(async ([image, platform]) => {
      if (opts.policy === 'missing' && (await limiter.run(() => engine.inspectImage(image))) !== undefined) {
        events({ type: 'resource', kind: 'image', name: image, status: 'Skipped', detail: 'image is present' });
        return;
      }
      const t0 = Date.now();
      events({ type: 'resource', kind: 'image', name: image, status: 'Pulling' });
      try {
        await limiter.run(() => engine.pullImage(image, { onProgress: progressForwarder(events, opts.quiet), ...(platform !== undefined ? { platform } : {}), ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}) }));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        events({ type: 'resource', kind: 'image', name: image, status: 'Error', detail: message });
        if (opts.ignorePullFailures) {
          events({ type: 'warning', message: `failed to pull ${image}: ${message}` });
          return;
        }
        throw err;
      }
      pulled.push(image);
      events({ type: 'resource', kind: 'image', name: image, status: 'Pulled', elapsedMs: Date.now() - t0 });
    }),
  );
  return pulled.sort();
}
