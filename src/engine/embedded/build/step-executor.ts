/**
 * The steps of a stage: FROM (image, earlier stage or scratch, then the base's ONBUILD
 * triggers), RUN, COPY/ADD, WORKDIR and the config-only instructions — each looked up in the
 * build cache under a key chained from the previous step's, and recorded there afterwards.
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { IgnoreMatcher } from '../../../model/ignore-patterns.js';
import { mountOverlay, unmountOverlay } from '../state/overlay.js';
import type { CachedState, StateLayer } from './build-cache.js';
import { chainKey } from './build-cache.js';
import { layerViews, storeLayer } from './build-layers.js';
import { applyConfigInstruction, commandArgs, runEnv, stageLookup } from './build-state.js';
import type { StageState } from './build-state.js';
import { hashEntries, withParents } from './copy-layer.js';
import type { SourceRoot } from './copy-sources.js';
import { copyEntries } from './copy-step.js';
import { planDockerfile } from './instructions.js';
import type { Instruction, Stage } from './instructions.js';
import type { LayerEntry } from './layer-tar.js';
import { mergedLstat } from './merged-view.js';
import { runStep } from './run-step.js';
import { expandWord } from './shell-lex.js';
import type { BuildJob, StageBuilder } from './stage-builder.js';

type Ins<K extends Instruction['kind']> = Extract<Instruction, { kind: K }>;

/** Splits a byte stream into lines for progress events. */
class Lines {
  private rest = '';
  constructor(private readonly emit: (line: string) => void) {}
  push(chunk: Buffer): void {
    const parts = (this.rest + chunk.toString('utf8')).split('\n');
    this.rest = parts.pop() ?? '';
    for (const p of parts) this.emit(p.replace(/\r$/, ''));
  }
  flush(): void {
    if (this.rest !== '') this.emit(this.rest);
    this.rest = '';
  }
}

export class StepExecutor {
  constructor(private readonly b: StageBuilder, private readonly job: BuildJob, private readonly matcher: IgnoreMatcher) {}

  private argsKey(state: StageState): string {
    return JSON.stringify([...state.args].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  private history(state: StageState, createdBy: string, empty: boolean): void {
    const created = new Date().toISOString();
    state.config.created = created;
    state.config.history.push({ created, created_by: createdBy, ...(empty ? { empty_layer: true } : {}) });
  }

  private adopt(state: StageState, key: string, hit: CachedState): void {
    state.layers = hit.layers;
    state.config = hit.config;
    state.key = key;
    this.b.line(' ---> Using cache');
  }

  private async record(state: StageState, key: string): Promise<void> {
    state.key = key;
    state.config.rootfs = { type: 'layers', diff_ids: state.layers.map((l) => l.diffId) };
    await this.job.cache.put(key, { layers: state.layers, config: state.config });
  }

  async buildStage(stage: Stage): Promise<StageState> {
    this.b.checkAbort();
    this.b.progress(stage.from.original);
    const base = expandWord(stage.base, this.b.globalLookup(), this.b.escape);
    const earlier = this.b.stageRef(base, stage.index);
    let state: StageState;
    if (earlier !== undefined) {
      const prior = this.b.builtStage(earlier.index);
      state = { key: prior.key, layers: [...prior.layers], config: structuredClone(prior.config), args: new Map(), cmdSet: false };
    } else {
      const img = base.toLowerCase() === 'scratch' ? this.b.scratch() : await this.b.image(base);
      state = { key: chainKey('from', img.id), layers: [...img.layers], config: structuredClone(img.config), args: new Map(), cmdSet: false };
    }
    const triggers = state.config.config.OnBuild ?? [];
    delete state.config.config.OnBuild;
    if (triggers.length > 0) {
      // The base image's ONBUILD triggers run first, as if written right after FROM.
      for (const ins of planDockerfile(`FROM scratch\n${triggers.join('\n')}\n`).stages[0]!.instructions) await this.step(stage, state, ins, false);
    }
    for (const ins of stage.instructions) await this.step(stage, state, ins, true);
    return state;
  }

  private async step(stage: Stage, state: StageState, ins: Instruction, counted: boolean): Promise<void> {
    this.b.checkAbort();
    if (counted) this.b.progress(ins.raw.original);
    switch (ins.kind) {
      case 'run': return this.run(state, ins);
      case 'copy':
      case 'add': return this.copy(stage, state, ins);
      case 'workdir': return this.workdir(state, ins);
      case 'arg':
      case 'env':
      case 'label':
      case 'cmd':
      case 'entrypoint':
      case 'user':
      case 'expose':
      case 'volume':
      case 'healthcheck':
      case 'stopsignal':
      case 'shell':
      case 'onbuild':
      case 'maintainer':
        return this.configStep(state, ins);
    }
  }

  private async configStep(state: StageState, ins: Instruction): Promise<void> {
    const { spec } = this.job;
    const globals = this.b.globalArgValues();
    // ARG values live outside the config: they apply on a cache hit too.
    if (ins.kind === 'arg') applyConfigInstruction(state, ins, this.b.escape, spec.args, globals);
    const key = chainKey(state.key, ins.raw.original, this.argsKey(state));
    const hit = await this.job.cache.get(key);
    if (hit !== undefined) {
      state.config = hit.config;
      state.key = key;
      if (ins.kind === 'cmd') state.cmdSet = true;
      return;
    }
    if (ins.kind !== 'arg') applyConfigInstruction(state, ins, this.b.escape, spec.args, globals);
    this.history(state, `/bin/sh -c #(nop) ${ins.raw.original}`, true);
    await this.record(state, key);
  }

  private async run(state: StageState, ins: Ins<'run'>): Promise<void> {
    const c = state.config.config;
    const args = commandArgs(ins.command, c.Shell);
    const network = (ins.network ?? this.job.spec.network) === 'none' ? 'none' : 'host';
    const key = chainKey(state.key, ins.raw.original, this.argsKey(state), network);
    const hit = await this.job.cache.get(key);
    if (hit !== undefined) return this.adopt(state, key, hit);
    const lines = { stdout: new Lines((l) => this.b.line(l)), stderr: new Lines((l) => this.b.line(l)) };
    let layer: StateLayer | undefined;
    const code = await runStep({
      runner: this.job.runner, tmpDir: this.job.work, layers: await layerViews(this.job.store.files, state.layers), args, env: runEnv(state),
      cwd: c.WorkingDir !== undefined && c.WorkingDir !== '' ? c.WorkingDir : '/', user: c.User ?? '', network, extraHosts: this.job.spec.extraHosts,
      out: (chunk, stream) => lines[stream].push(chunk), ...(this.job.signal !== undefined ? { signal: this.job.signal } : {}),
    }, async (entries) => {
      if (entries.length > 0) layer = await storeLayer(this.job.store.files, state.layers, entries);
    });
    lines.stdout.flush();
    lines.stderr.flush();
    if (code !== 0) throw this.b.fail('failed', `The command '${args.join(' ')}' returned a non-zero code: ${code}`);
    if (layer !== undefined) state.layers = [...state.layers, layer];
    this.history(state, args.join(' '), layer === undefined);
    await this.record(state, key);
  }

  private async layerStep(state: StageState, key: string, entries: readonly LayerEntry[], createdBy: string): Promise<void> {
    if (entries.length > 0) state.layers = [...state.layers, await storeLayer(this.job.store.files, state.layers, entries)];
    this.history(state, createdBy, entries.length === 0);
    await this.record(state, key);
  }

  private async workdir(state: StageState, ins: Ins<'workdir'>): Promise<void> {
    const c = state.config.config;
    const path = expandWord(ins.path, stageLookup(state), this.b.escape);
    const abs = posix.resolve(c.WorkingDir !== undefined && c.WorkingDir !== '' ? c.WorkingDir : '/', path);
    const key = chainKey(state.key, ins.raw.original, this.argsKey(state), abs);
    const hit = await this.job.cache.get(key);
    if (hit !== undefined) return this.adopt(state, key, hit);
    c.WorkingDir = abs;
    const views = await layerViews(this.job.store.files, state.layers);
    const exists = (await mergedLstat(views, abs))?.isDirectory() === true;
    const entries = exists || abs === '/' ? [] : await withParents(new Map(), views, [abs], { now: Math.floor(Date.now() / 1000) });
    await this.layerStep(state, key, entries, `/bin/sh -c #(nop) WORKDIR ${abs}`);
  }

  /** The root COPY --from reads: an earlier stage or an image, mounted read-only-ish under the work dir. */
  private async fromRoot(stage: Stage, from: string): Promise<{ root: string; layers: StateLayer[]; id: string; mounted: boolean }> {
    const ref = this.b.stageRef(from, stage.index);
    const src = ref !== undefined ? this.b.builtStage(ref.index) : undefined;
    const layers = src?.layers ?? (await this.b.image(from)).layers;
    const id = src?.key ?? (await this.b.image(from)).id;
    const dir = await mkdtemp(join(this.job.work, 'from-'));
    const root = join(dir, 'root');
    if (layers.length === 0) {
      await mkdir(root);
      return { root, layers, id, mounted: false };
    }
    const views = await layerViews(this.job.store.files, layers);
    await mountOverlay({ lowerDirs: views.map((v) => v.diffDir), upperDir: join(dir, 'upper'), workDir: join(dir, 'work'), target: root });
    return { root, layers, id, mounted: true };
  }

  private async copy(stage: Stage, state: StageState, ins: Ins<'copy' | 'add'>): Promise<void> {
    const lookup = stageLookup(state);
    const x = (s: string): string => expandWord(s, lookup, this.b.escape);
    const from = ins.kind === 'copy' && ins.from !== undefined ? x(ins.from) : undefined;
    const source = from !== undefined ? await this.fromRoot(stage, from) : undefined;
    try {
      const src: SourceRoot = source !== undefined ? { root: source.root } : { root: this.job.spec.context, matcher: this.matcher };
      const c = state.config.config;
      const entries = await copyEntries({
        kind: ins.kind, sources: ins.sources.map(x), dest: x(ins.dest), workdir: c.WorkingDir ?? '/', src, fromContext: source === undefined,
        layers: await layerViews(this.job.store.files, state.layers), tmpDir: this.job.work,
        ...(ins.chown !== undefined ? { chown: x(ins.chown) } : {}), ...(ins.chmod !== undefined ? { chmod: x(ins.chmod) } : {}),
      }, Math.floor(Date.now() / 1000));
      const key = chainKey(state.key, ins.raw.original, this.argsKey(state), source?.id ?? 'context', await hashEntries(entries));
      const hit = await this.job.cache.get(key);
      if (hit !== undefined) return this.adopt(state, key, hit);
      await this.layerStep(state, key, entries, `/bin/sh -c #(nop) ${ins.raw.original}`);
    } finally {
      if (source?.mounted === true) await unmountOverlay(source.root);
    }
  }
}
