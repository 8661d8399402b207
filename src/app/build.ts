import { DependencyGraph } from '../graph/dependency-graph.js';
import { buildSpec } from '../reconcile/build-spec.js';
import { serviceImage } from '../reconcile/naming.js';
import type { ProjectContext } from './context.js';
import { createLimiter } from './lifecycle/common.js';
import { progressForwarder } from './pull.js';

export interface BuildOptions {
  services: string[];
  noCache: boolean;
  pull: boolean;
  /** `--build-arg K=V` (`K` alone takes the value from the environment). */
  buildArgs: Record<string, string | undefined>;
  quiet: boolean;
  withDependencies: boolean;
}

/** `build`: builds the images of services with a `build` section. Returns image name → id. */
export async function build(ctx: ProjectContext, opts: BuildOptions): Promise<Record<string, string>> {
  const { project, engine, events } = ctx;
  const graph = DependencyGraph.fromServices(project.services);
  const names = opts.services.length === 0 ? graph.nodes : opts.withDependencies ? graph.withDependencies(opts.services) : [...opts.services].sort();
  const limiter = createLimiter(ctx.parallel, ctx.signal);
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  await Promise.all(
    names.map(async (n) => {
      const s = project.services[n];
      if (s?.build === undefined) return;
      const image = serviceImage(project.name, s);
      if (seen.has(image)) return;
      seen.add(image);
      const spec = buildSpec(project, s, { noCache: opts.noCache || s.build.no_cache === true, pull: opts.pull || s.build.pull === true, args: opts.buildArgs });
      const t0 = Date.now();
      events({ type: 'resource', kind: 'image', name: image, status: 'Building' });
      try {
        out[image] = await limiter.run(() => engine.buildImage(spec, { onProgress: progressForwarder(events, opts.quiet), ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}) }));
      } catch (err) {
        events({ type: 'resource', kind: 'image', name: image, status: 'Error', detail: err instanceof Error ? err.message : String(err) });
        throw err;
      }
      events({ type: 'resource', kind: 'image', name: image, status: 'Built', elapsedMs: Date.now() - t0 });
    }),
  );
  return out;
}
