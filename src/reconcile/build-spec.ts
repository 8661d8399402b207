import type { BuildSpec } from '../engine/engine.js';
import { LABEL } from '../model/labels.js';
import type { Project, ServiceConfig } from '../model/project.js';
import { BERTH_VERSION } from '../version.js';
import { serviceImage } from './naming.js';
import { SpecError } from './spec-error.js';
import { bytes } from './spec-runtime.js';

export interface BuildOverrides {
  noCache?: boolean;
  pull?: boolean;
  /** `--build-arg K=V` (a value of `undefined` takes it from the project environment). */
  args?: Record<string, string | undefined>;
}

/** The engine build request of a service with `build:` (image name = `image` or `<project>-<service>`). */
export function buildSpec(project: Project, s: ServiceConfig, overrides: BuildOverrides = {}): BuildSpec {
  const b = s.build;
  if (b === undefined) throw new SpecError(`service "${s.name}" has no build section`);
  const args: Record<string, string> = {};
  for (const [k, v] of Object.entries(b.args ?? {})) {
    const value = v ?? project.environment[k];
    if (value !== undefined) args[k] = value;
  }
  for (const [k, v] of Object.entries(overrides.args ?? {})) {
    const value = v ?? project.environment[k];
    if (value !== undefined) args[k] = value;
  }
  const image = serviceImage(project.name, s);
  const spec: BuildSpec = {
    context: b.context,
    dockerfile: b.dockerfile ?? 'Dockerfile',
    tags: [...new Set([image, ...(b.tags ?? [])])],
    args,
    labels: { ...(b.labels ?? {}), [LABEL.project]: project.name, [LABEL.service]: s.name, [LABEL.version]: BERTH_VERSION },
    noCache: overrides.noCache ?? b.no_cache === true,
    pull: overrides.pull ?? b.pull === true,
    extraHosts: Object.keys(b.extra_hosts ?? {})
      .sort()
      .flatMap((h) => (b.extra_hosts![h] ?? []).map((ip) => `${h}:${ip}`)),
  };
  if (b.dockerfile_inline !== undefined) spec.dockerfileInline = b.dockerfile_inline;
  if (b.target !== undefined) spec.target = b.target;
  if (b.network !== undefined) spec.network = b.network;
  const shm = bytes(s.name, 'build.shm_size', b.shm_size);
  if (shm !== undefined) spec.shmSizeBytes = shm;
  const platform = s.platform ?? b.platforms?.[0];
  if (platform !== undefined) spec.platform = platform;
  return spec;
}
