/**
 * One build: reads the Dockerfile and ignore file, resolves global ARGs and the target, builds
 * the stages the target needs (base images from the store, pulled when allowed), applies the
 * build labels and commits the image.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EngineError } from '../../engine-error.js';
import type { BuildSpec, ProgressListener } from '../../engine.js';
import { compileIgnorePatterns, parseIgnoreFile } from '../../../model/ignore-patterns.js';
import type { IgnoreMatcher } from '../../../model/ignore-patterns.js';
import { hostPlatform } from '../image/image-store.js';
import type { ImageStore } from '../image/image-store.js';
import type { BuildCache } from './build-cache.js';
import { chainKey } from './build-cache.js';
import { DEFAULT_PATH } from './build-state.js';
import type { BuiltConfig, StageState } from './build-state.js';
import { planDockerfile } from './instructions.js';
import type { DockerfilePlan, Stage } from './instructions.js';
import { expandWord } from './shell-lex.js';
import { StepExecutor } from './step-executor.js';
import type { StepRunner } from './step-runner.js';

export interface BuildJob {
  store: ImageStore;
  spec: BuildSpec;
  tag: string;
  /** Scratch directory of this build. */
  work: string;
  cache: BuildCache;
  runner: StepRunner;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface BaseImage {
  id: string;
  layers: StageState['layers'];
  config: BuiltConfig;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

export class StageBuilder {
  private plan!: DockerfilePlan;
  private readonly globalArgs = new Map<string, string | undefined>();
  private readonly built = new Map<number, StageState>();
  private readonly images = new Map<string, BaseImage>();
  private stepNo = 0;
  private total = 0;

  constructor(private readonly job: BuildJob) {}

  fail(kind: EngineError['kind'], message: string): EngineError {
    return new EngineError(kind, 'build image', this.job.tag, `build image ${this.job.tag}: ${message}`);
  }

  progress(text: string): void {
    this.stepNo++;
    const step = `Step ${this.stepNo}/${this.total} : ${text}`;
    // Like Docker's build stream: the step header is both a step and a line of build output.
    this.job.onProgress?.({ kind: 'build-step', image: this.job.tag, step });
    this.job.onProgress?.({ kind: 'build', image: this.job.tag, line: step });
  }

  line(text: string): void {
    this.job.onProgress?.({ kind: 'build', image: this.job.tag, line: text });
  }

  checkAbort(): void {
    if (this.job.signal?.aborted === true) throw this.fail('failed', 'the build was canceled');
  }

  private async dockerfile(): Promise<{ text: string; path?: string }> {
    const { spec } = this.job;
    if (spec.dockerfileInline !== undefined) return { text: spec.dockerfileInline };
    const path = resolve(spec.context, spec.dockerfile);
    const text = await readText(path);
    if (text === undefined) throw this.fail('not-found', `failed to read dockerfile: open ${path}: no such file or directory`);
    return { text, path };
  }

  /** `<Dockerfile>.dockerignore` beside the Dockerfile wins over the context's `.dockerignore` (as with Docker). */
  private async matcher(dockerfilePath: string | undefined): Promise<IgnoreMatcher> {
    const specific = dockerfilePath === undefined ? undefined : await readText(`${dockerfilePath}.dockerignore`);
    const text = specific ?? (await readText(join(this.job.spec.context, '.dockerignore'))) ?? '';
    return compileIgnorePatterns(parseIgnoreFile(text));
  }

  globalLookup(): (name: string) => string | undefined {
    return (name) => this.globalArgs.get(name);
  }

  globalArgValues(): ReadonlyMap<string, string | undefined> {
    return this.globalArgs;
  }

  get escape(): string {
    return this.plan.escape;
  }

  /** A stage named (or numbered) `ref` before stage `before`. */
  stageRef(ref: string, before: number): Stage | undefined {
    if (/^\d+$/.test(ref)) {
      const n = parseInt(ref, 10);
      return n < before ? this.plan.stages[n] : undefined;
    }
    const name = ref.toLowerCase();
    return this.plan.stages.find((s) => s.index < before && s.name === name);
  }

  builtStage(index: number): StageState {
    const s = this.built.get(index);
    if (s === undefined) throw this.fail('failed', `stage ${index} was not built`);
    return s;
  }

  private needed(target: number): number[] {
    const need = new Set<number>();
    const visit = (i: number): void => {
      if (need.has(i)) return;
      need.add(i);
      const stage = this.plan.stages[i]!;
      const base = this.stageRef(expandWord(stage.base, this.globalLookup(), this.escape), i);
      if (base !== undefined) visit(base.index);
      for (const ins of stage.instructions) {
        if (ins.kind !== 'copy' || ins.from === undefined) continue;
        const from = this.stageRef(expandWord(ins.from, this.globalLookup(), this.escape), i);
        if (from !== undefined) visit(from.index);
      }
    };
    visit(target);
    return [...need].sort((a, b) => a - b);
  }

  async build(): Promise<string> {
    const { spec } = this.job;
    const df = await this.dockerfile();
    this.plan = planDockerfile(df.text);
    const matcher = await this.matcher(df.path);
    for (const a of this.plan.globalArgs) {
      const user = Object.prototype.hasOwnProperty.call(spec.args, a.name) ? spec.args[a.name] : undefined;
      this.globalArgs.set(a.name, user ?? (a.value !== undefined ? expandWord(a.value, this.globalLookup(), this.escape) : undefined));
    }
    let target = this.plan.stages.length - 1;
    if (spec.target !== undefined && spec.target !== '') {
      const found = this.plan.stages.find((s) => s.name === spec.target!.toLowerCase());
      if (found === undefined) throw this.fail('failed', `target stage "${spec.target}" could not be found`);
      target = found.index;
    }
    const stages = this.needed(target);
    this.total = stages.reduce((n, i) => n + 1 + this.plan.stages[i]!.instructions.length, 0);
    const exec = new StepExecutor(this, this.job, matcher);
    for (const i of stages) this.built.set(i, await exec.buildStage(this.plan.stages[i]!));
    const final = this.builtStage(target);
    await this.applyLabels(final);
    const rec = await this.job.store.commitLocal(
      { ...final.config, rootfs: { type: 'layers', diff_ids: final.layers.map((l) => l.diffId) } },
      final.layers.map((l) => ({ blobDigest: l.blobDigest, blobSize: l.blobSize, ...(l.mediaType !== undefined ? { mediaType: l.mediaType } : {}) })),
      spec.tags,
    );
    return rec.id;
  }

  private async applyLabels(state: StageState): Promise<void> {
    const labels = Object.entries(this.job.spec.labels).sort(([a], [b]) => (a < b ? -1 : 1));
    if (labels.length === 0) return;
    const key = chainKey(state.key, 'build-labels', JSON.stringify(labels));
    const hit = await this.job.cache.get(key);
    if (hit !== undefined) state.config = hit.config;
    else {
      state.config.config.Labels = { ...(state.config.config.Labels ?? {}), ...Object.fromEntries(labels) };
      await this.job.cache.put(key, { layers: state.layers, config: state.config });
    }
    state.key = key;
  }

  scratch(): BaseImage {
    const p = this.job.spec.platform?.split('/');
    const host = hostPlatform();
    return {
      id: 'scratch',
      layers: [],
      config: {
        architecture: p?.[1] ?? host.architecture, os: p?.[0] ?? 'linux', ...(p?.[2] !== undefined ? { variant: p[2] } : {}),
        created: new Date().toISOString(), config: { Env: [`PATH=${DEFAULT_PATH}`] }, rootfs: { type: 'layers', diff_ids: [] }, history: [],
      },
    };
  }

  /** A base image from the store; pulled when missing and the spec allows pulling. */
  async image(ref: string): Promise<BaseImage> {
    const known = this.images.get(ref);
    if (known !== undefined) return known;
    const { store, spec } = this.job;
    let rec = await store.resolve(ref);
    if (rec === undefined) {
      if (!spec.pull) throw this.fail('not-found', `pull access denied for ${ref}: image not found in the local store (pull it first, or build with pull enabled)`);
      await store.pull(ref, { ...(this.job.onProgress !== undefined ? { onProgress: this.job.onProgress } : {}), ...(this.job.signal !== undefined ? { signal: this.job.signal } : {}), ...(spec.platform !== undefined ? { platform: spec.platform } : {}) });
      rec = await store.resolve(ref);
      if (rec === undefined) throw this.fail('not-found', `image ${ref} not found after pulling it`);
    }
    const doc = JSON.parse((await store.files.readBlob(rec.configDigest)).toString('utf8')) as Partial<BuiltConfig>;
    const layers = rec.layers.map((l) => {
      if (l.blobDigest === undefined) throw this.fail('failed', `layer ${l.diffId} of ${ref} has no blob in the store; pull or load the image again`);
      return { diffId: l.diffId, blobDigest: l.blobDigest, blobSize: l.blobSize ?? 0, ...(l.mediaType !== undefined ? { mediaType: l.mediaType } : {}) };
    });
    const host = hostPlatform();
    const image: BaseImage = {
      id: rec.id,
      layers,
      config: {
        architecture: doc.architecture ?? host.architecture, os: doc.os ?? 'linux', ...(doc.variant !== undefined ? { variant: doc.variant } : {}),
        created: doc.created ?? new Date(rec.created * 1000).toISOString(), ...(doc.author !== undefined ? { author: doc.author } : {}),
        config: { ...(doc.config ?? {}) }, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) }, history: [...(doc.history ?? [])],
      },
    };
    this.images.set(ref, image);
    return image;
  }
}
