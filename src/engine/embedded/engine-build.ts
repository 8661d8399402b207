/** `buildImage` on the embedded engine: the Dockerfile builder with RUN steps on the OCI runtime. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildSpec, ProgressListener } from '../engine.js';
import { buildImage } from './build/image-builder.js';
import { RuntimeStepRunner } from './build/runtime-step-runner.js';
import type { Core } from './core.js';

export async function buildWithRuntime(core: Core, spec: BuildSpec, opts: { onProgress?: ProgressListener; signal?: AbortSignal }): Promise<string> {
  const runner = new RuntimeStepRunner(await core.runtime(), await core.hostFacts());
  // On the engine's disk, not a small tmpfs: steps' upper dirs and ADD staging live here.
  const tmpDir = join(core.paths.root, 'tmp');
  await mkdir(tmpDir, { recursive: true });
  return buildImage(core.images, spec, {
    runner, tmpDir,
    ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}),
    ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
  });
}
