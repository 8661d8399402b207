/**
 * The embedded engine's Dockerfile builder (Docker's semantics, no daemon): stages are built in
 * order (only those the target needs), each RUN in an overlay of the stage's layers through a
 * StepRunner, each COPY/ADD/WORKDIR written as a layer directly, config-only instructions folded
 * into the image config; every step's resulting state is cached under a chained key.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../../engine-error.js';
import type { BuildSpec, ProgressListener } from '../../engine.js';
import type { ImageStore } from '../image/image-store.js';
import { BuildCache } from './build-cache.js';
import { UnsupportedSourceError } from './copy-step.js';
import { StageBuilder } from './stage-builder.js';
import type { StepRunner } from './step-runner.js';

export type { StepRunner } from './step-runner.js';

export interface BuildImageOptions {
  runner: StepRunner;
  /** A directory for the build's scratch space (overlay upper dirs, bundles); a subdirectory is made and removed. */
  tmpDir: string;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

function wrap(tag: string, err: unknown): EngineError {
  if (err instanceof EngineError) {
    if (err.operation === 'build image') return err;
    return new EngineError(err.kind, 'build image', tag, `build image ${tag}: ${err.message}`, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new EngineError(err instanceof UnsupportedSourceError ? 'unsupported' : 'failed', 'build image', tag, `build image ${tag}: ${message}`, { cause: err });
}

/** Builds `spec`, tags the result with every `spec.tags` entry and returns its id (`sha256:…`). */
export async function buildImage(store: ImageStore, spec: BuildSpec, opts: BuildImageOptions): Promise<string> {
  const tag = spec.tags[0] ?? '<none>';
  try {
    return await store.files.leased(async () => {
      const work = await mkdtemp(join(opts.tmpDir, 'berth-build-'));
      try {
        const builder = new StageBuilder({ store, spec, tag, work, cache: new BuildCache(store.files, !spec.noCache), ...opts });
        return await builder.build();
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    });
  } catch (err) {
    throw wrap(tag, err);
  }
}
