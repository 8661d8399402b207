import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { DiagnosticBag, ModelPath } from '../errors/diagnostic.js';
import type { RawMap } from './raw.js';
import { cloneRaw, copyEntryMeta, copySelfMeta, entryLocation, isRawMap } from './raw.js';
import { mergeServices } from './merge.js';

export interface ExtendsContext {
  readonly diags: DiagnosticBag;
  /** Absolute path of the file `doc` came from (`-` for stdin). */
  readonly file: string;
  /** Directory that relative `extends.file` paths of `doc` are resolved against. */
  readonly baseDir: string;
  /** Loads (parses and interpolates) another compose file; undefined if it could not be read. */
  loadFile(path: string): RawMap | undefined;
  /**
   * Makes the relative paths of a service definition taken from a file in `fromDir`
   * absolute (a no-op when path resolution is off). In place.
   */
  rebaseService(service: RawMap, fromDir: string): void;
}

/** The services of one file, and the directory their relative paths are relative to. */
interface Scope {
  readonly file: string;
  readonly dir: string;
  readonly services: RawMap;
}

interface Ref {
  readonly service: string;
  readonly file: string;
}

interface Run {
  readonly ctx: ExtendsContext;
  readonly local: Scope;
  readonly scopes: Map<string, Scope | undefined>;
  /** Resolved services by `file\0name`; undefined marks a failure already reported. */
  readonly done: Map<string, RawMap | undefined>;
}

/**
 * Resolves every `extends` in `doc.services` in place (compose-spec.md §2.11). The result is
 * the base service merged with the local definition by the §2.9 rules; the local
 * `!reset` / `!override` tags act on the base and stay on the result for the later merge
 * with earlier files. Referenced networks, volumes, … are not imported.
 */
export function resolveExtends(doc: RawMap, ctx: ExtendsContext): void {
  const services = doc['services'];
  if (!isRawMap(services)) return;
  const local: Scope = { file: ctx.file, dir: ctx.baseDir, services };
  const run: Run = { ctx, local, scopes: new Map([[ctx.file, local]]), done: new Map() };
  const resolved = new Map<string, RawMap>();
  for (const name of Object.keys(services).sort()) {
    const svc = services[name];
    if (!isRawMap(svc) || !Object.prototype.hasOwnProperty.call(svc, 'extends')) continue;
    const result = resolveService(run, local, name, []);
    if (result !== undefined) resolved.set(name, result);
  }
  // Replaced only at the end so that every lookup above saw the local definitions.
  for (const [name, svc] of resolved) services[name] = svc;
}

function resolveService(run: Run, scope: Scope, name: string, stack: readonly Ref[]): RawMap | undefined {
  const id = `${scope.file}\0${name}`;
  if (run.done.has(id)) return run.done.get(id);
  const raw = scope.services[name];
  const svc: RawMap = isRawMap(raw) ? raw : {};
  if (!Object.prototype.hasOwnProperty.call(svc, 'extends')) return svc;
  const result = extendService(run, scope, name, svc, [...stack, { service: name, file: scope.file }]);
  run.done.set(id, result);
  return result;
}

function extendService(run: Run, scope: Scope, name: string, svc: RawMap, stack: readonly Ref[]): RawMap | undefined {
  const { diags } = run.ctx;
  const at = entryLocation(svc, 'extends');
  const path: ModelPath = ['services', name, 'extends'];
  const spec = parseExtends(svc['extends'] ?? null);
  if (spec === undefined) {
    diags.error('extends', 'extends must be a service name or a mapping with a "service" string', at, path);
    return undefined;
  }
  let target = scope;
  if (spec.file !== undefined) {
    const found = scopeFor(run, resolve(scope.dir, spec.file));
    if (found === undefined) {
      diags.error('extends', `cannot extend service "${name}": cannot read file ${show(run, resolve(scope.dir, spec.file))}`, at, path);
      return undefined;
    }
    target = found;
  }
  const cycleAt = stack.findIndex((r) => r.service === spec.service && r.file === target.file);
  if (cycleAt >= 0) {
    diags.error('extends', circularMessage(run, [...stack, { service: spec.service, file: target.file }]), at, path);
    return undefined;
  }
  if (!Object.prototype.hasOwnProperty.call(target.services, spec.service)) {
    diags.error('extends', `cannot extend service "${name}" in ${show(run, target.file)}: service "${spec.service}" not found`, at, path);
    return undefined;
  }
  const base = resolveService(run, target, spec.service, stack);
  if (base === undefined) return undefined;
  // Never mutate a definition that is still used elsewhere (or cached by the caller): the
  // base is copied first when its paths need rebasing, else the merge copies what it takes.
  const rebase = target.dir !== scope.dir;
  const copy = rebase ? cloneRaw(base) : base;
  if (rebase) run.ctx.rebaseService(copy, target.dir);
  // A definition of the document being resolved is replaced by its result and never read
  // again, so its values are moved, not copied; those of another file stay cached for reuse.
  return mergeServices(copy, withoutExtends(svc), diags, { keepTags: true, shareOverride: scope === run.local, copyBase: !rebase });
}

function parseExtends(value: unknown): { service: string; file?: string } | undefined {
  if (typeof value === 'string') return { service: value };
  if (!isRawMap(value)) return undefined;
  const service = value['service'];
  const file = value['file'];
  if (typeof service !== 'string') return undefined;
  if (file !== undefined && file !== null && typeof file !== 'string') return undefined;
  return typeof file === 'string' ? { service, file } : { service };
}

function scopeFor(run: Run, file: string): Scope | undefined {
  if (run.scopes.has(file)) return run.scopes.get(file);
  const doc = run.ctx.loadFile(file);
  const services = doc?.['services'];
  const scope: Scope | undefined =
    doc === undefined ? undefined : { file, dir: dirname(file), services: isRawMap(services) ? services : {} };
  run.scopes.set(file, scope);
  return scope;
}

function withoutExtends(svc: RawMap): RawMap {
  const out: RawMap = {};
  copySelfMeta(svc, out);
  for (const [k, v] of Object.entries(svc)) {
    if (k === 'extends') continue;
    out[k] = v;
    copyEntryMeta(svc, k, out, k);
  }
  return out;
}

function circularMessage(run: Run, chain: readonly Ref[]): string {
  const lines = chain.map((r, i) => `  ${i === 0 ? '' : 'extends '}${r.service} in ${show(run, r.file)}`);
  return ['Circular reference:', ...lines].join('\n');
}

/** A file as shown in messages: relative to the project when inside it. */
function show(run: Run, file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(run.ctx.baseDir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
