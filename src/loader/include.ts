import { dirname, isAbsolute, resolve } from 'node:path';
import type { DiagnosticBag, ModelPath, SourceLocation } from '../errors/diagnostic.js';
import type { RawMap, RawValue } from './raw.js';
import { cloneRaw, copyEntryMeta, copySelfMeta, entryLocation, isRawMap } from './raw.js';
import type { ResourceKind } from './merge.js';
import { mergeResources, mergeServices } from './merge.js';
import { canonicalText } from './merge-tags.js';

export interface IncludeRequest {
  /** Absolute paths of the included files (main file then overrides). */
  files: string[];
  /** Absolute project directory of the included project. */
  projectDirectory: string;
  /** Absolute env files of the include; empty: the default `<projectDirectory>/.env`. */
  envFiles: string[];
  /** Include chain so far, for cycle detection: the including files, outermost first, ending with the current file. */
  chain: string[];
  /** Where the include entry is, for errors about it (e.g. an included file that cannot be read). */
  location?: SourceLocation;
}

export interface IncludeContext {
  readonly diags: DiagnosticBag;
  readonly file: string;
  /** Directory relative include paths are resolved against. */
  readonly baseDir: string;
  readonly home: string | undefined;
  /** Files that included this one, outermost first, normally ending with this file (added when missing). */
  readonly chain: string[];
  /** Loads an included project as a merged raw model with paths already absolute. */
  loadProject(req: IncludeRequest): Promise<RawMap | undefined>;
}

const KINDS = ['services', 'networks', 'volumes', 'secrets', 'configs', 'models'] as const;

/**
 * Processes `doc.include` (compose-spec.md §2.12): loads each included project and copies its
 * resources into `doc`, then removes the `include` key. In place. A resource defined both
 * here and in an included project is the included one with this file's definition merged
 * over it (docker compose v5); identical definitions are kept as they are.
 */
export async function resolveIncludes(doc: RawMap, ctx: IncludeContext): Promise<void> {
  if (!Object.prototype.hasOwnProperty.call(doc, 'include')) return;
  const value = doc['include'] ?? null;
  delete doc['include'];
  if (value === null) return;
  if (!Array.isArray(value)) {
    ctx.diags.error('include', 'include must be a list', entryLocation(doc, 'include'), ['include']);
    return;
  }
  const chain = includeChain(ctx);
  for (let i = 0; i < value.length; i++) {
    const at = entryLocation(value, i);
    const path: ModelPath = ['include', i];
    const req = parseEntry(value[i] ?? null, ctx, chain, at, path);
    if (req === undefined) continue;
    const looped = req.files.find((f) => chain.includes(f));
    if (looped !== undefined) {
      const lines = [`include cycle detected:\n${chain[0] ?? ctx.file}`, ...[...chain.slice(1), looped].map((f) => ` include ${f}`)];
      ctx.diags.error('include', lines.join('\n'), at, path);
      continue;
    }
    const project = await ctx.loadProject(req);
    if (project !== undefined) importResources(doc, project, ctx.diags);
  }
}

/** The chain ending with the current file, whether or not the caller already put it there. */
function includeChain(ctx: IncludeContext): string[] {
  const last = ctx.chain[ctx.chain.length - 1];
  if (last === undefined) return [ctx.file];
  return last === ctx.file || !isAbsolute(ctx.file) ? ctx.chain : [...ctx.chain, ctx.file];
}

function parseEntry(
  entry: RawValue,
  ctx: IncludeContext,
  chain: string[],
  at: SourceLocation | undefined,
  path: ModelPath,
): IncludeRequest | undefined {
  const spec: RawMap | undefined = typeof entry === 'string' ? { path: entry } : isRawMap(entry) ? entry : undefined;
  const paths = spec === undefined ? undefined : stringList(spec['path']);
  if (spec === undefined || paths === undefined || paths.length === 0) {
    ctx.diags.error('include', 'include entry must be a path or a mapping with a "path"', at, path);
    return undefined;
  }
  const envFiles = stringList(spec['env_file'] ?? []);
  const projectDir = spec['project_directory'] ?? null;
  if (envFiles === undefined || (projectDir !== null && typeof projectDir !== 'string')) {
    ctx.diags.error('include', 'include "env_file" must be a path or a list of paths and "project_directory" a path', at, path);
    return undefined;
  }
  const files = paths.map((p) => absolute(p, ctx));
  return {
    files,
    projectDirectory: typeof projectDir === 'string' ? absolute(projectDir, ctx) : dirname(files[0]!),
    envFiles: envFiles.map((p) => absolute(p, ctx)),
    chain,
    ...(at !== undefined ? { location: at } : {}),
  };
}

function stringList(v: RawValue | undefined): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return undefined;
  return v.every((x): x is string => typeof x === 'string') ? v : undefined;
}

function absolute(p: string, ctx: IncludeContext): string {
  if (ctx.home !== undefined && (p === '~' || p.startsWith('~/'))) return resolve(ctx.home, p.slice(2));
  return resolve(ctx.baseDir, p);
}

function importResources(doc: RawMap, project: RawMap, diags: DiagnosticBag): void {
  for (const kind of KINDS) {
    const source = project[kind];
    if (!isRawMap(source)) continue;
    let target = doc[kind];
    if (target === undefined || target === null) {
      target = {};
      copySelfMeta(source, target);
      doc[kind] = target;
      copyEntryMeta(project, kind, doc, kind);
    }
    if (!isRawMap(target)) continue;
    for (const [name, def] of Object.entries(source)) {
      const local = target[name];
      if (local === undefined) {
        target[name] = cloneRaw(def);
        copyEntryMeta(source, name, target, name);
      } else if (canonicalText(local) !== canonicalText(def)) {
        target[name] = mergeOne(kind, def, local, diags);
      }
    }
  }
}

function mergeOne(kind: (typeof KINDS)[number], included: RawValue, local: RawValue, diags: DiagnosticBag): RawValue {
  if (!isRawMap(included) || !isRawMap(local)) return local ?? included;
  // Tags stay: the including file is merged over earlier files later and they must act there too.
  if (kind === 'services') return mergeServices(included, local, diags, { keepTags: true });
  return mergeResources(kind satisfies ResourceKind, included, local, diags, { keepTags: true });
}
