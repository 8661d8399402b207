/**
 * Test helpers for the Dockerfile builder: a temp image store with a busybox base image built
 * FROM scratch by the builder itself, a real runtime-backed StepRunner, and a build call with
 * the BuildSpec defaults filled in.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BuildSpec, ProgressEvent } from '../../src/engine/engine.js';
import { buildImage } from '../../src/engine/embedded/build/image-builder.js';
import { RuntimeStepRunner } from '../../src/engine/embedded/build/runtime-step-runner.js';
import type { StepRunner } from '../../src/engine/embedded/build/step-runner.js';
import { ImageStore } from '../../src/engine/embedded/image/image-store.js';
import { readHostFacts } from '../../src/engine/embedded/runtime/oci-config.js';
import { OciRuntime } from '../../src/engine/embedded/runtime/runtime.js';
import { mountOverlay, unmountOverlay } from '../../src/engine/embedded/state/overlay.js';
import { makeBusyboxRootfs } from './runtime-fixture.js';

export const BUILD_BASE = 'berth-build-test/busybox:latest';

export interface BuildFixture {
  root: string;
  store: ImageStore;
  runner: StepRunner;
  tmp: string;
  build(spec: Partial<BuildSpec> & { context: string }, events?: ProgressEvent[]): Promise<string>;
  cleanup(): Promise<void>;
}

export async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** A store under a fresh temp root, holding BUILD_BASE (busybox, ENV PATH, CMD ["sh"]). */
export async function buildFixture(): Promise<BuildFixture> {
  const root = await mkdtemp(join(tmpdir(), 'berth-build-test-'));
  const store = await ImageStore.open({ root: join(root, 'store') });
  const tmp = join(root, 'tmp');
  await mkdir(tmp);
  const runtime = await OciRuntime.detect({ runtimeRoot: join(root, 'runtime'), workDir: join(root, 'run') });
  const runner = new RuntimeStepRunner(runtime, await readHostFacts());
  const build = async (spec: Partial<BuildSpec> & { context: string }, events?: ProgressEvent[]): Promise<string> => buildImage(store, {
    dockerfile: 'Dockerfile', tags: [], args: {}, labels: {}, noCache: false, pull: false, extraHosts: [], ...spec,
  }, { runner, tmpDir: tmp, ...(events !== undefined ? { onProgress: (e: ProgressEvent) => events.push(e) } : {}) });
  const ctx = join(root, 'base-ctx');
  await makeBusyboxRootfs(join(ctx, 'rootfs'));
  await writeFile(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nCMD ["sh"]\n');
  await build({ context: ctx, tags: [BUILD_BASE] });
  await rm(ctx, { recursive: true, force: true });
  return { root, store, runner, tmp, build, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Mounts the image's merged file system (a throwaway upper dir) for `fn`, and unmounts it. */
export async function withImageRoot<T>(f: BuildFixture, id: string, fn: (root: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(f.tmp, 'view-'));
  const target = join(dir, 'merged');
  await mountOverlay({ lowerDirs: await f.store.lowerDirs(id), upperDir: join(dir, 'upper'), workDir: join(dir, 'work'), target });
  try {
    return await fn(target);
  } finally {
    await unmountOverlay(target);
    await rm(dir, { recursive: true, force: true });
  }
}
