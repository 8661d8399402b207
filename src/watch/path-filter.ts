import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { compileIgnorePatterns, parseIgnoreFile, type IgnoreMatcher } from '../model/ignore-patterns.js';

/**
 * Files editors and tools write next to the real ones (compose-spec.md §5.2), and VCS metadata:
 * never synced, never a reason to rebuild.
 */
export const BUILTIN_IGNORES: readonly string[] = [
  '**/.git',
  '**/*___jb_old___',
  '**/*___jb_tmp___',
  '**/.idea',
  '**/.#*',
  '**/#*#',
  '**/4913',
  '**/*~',
  '**/.*.swp',
  '**/.*.swx',
  '**/.*.swo',
  '**/.*.swn',
  '**/.*.kate-swp',
  '**/*-go-tmp-umask',
];

export interface PathFilterSpec {
  /** Absolute path the rule watches (a directory or a file). */
  root: string;
  /** `.dockerignore`-syntax patterns relative to `root` (the rule's `ignore`). */
  ignore: readonly string[];
  /** When not empty, only paths matching one of these (relative to `root`) count. */
  include: readonly string[];
  /** The service's build context and its ignore patterns (relative to the context). */
  context?: { dir: string; patterns: readonly string[] };
}

export interface PathFilter {
  readonly root: string;
  /** Whether a changed path belongs to the rule: under `root`, included and not ignored. */
  accepts(path: string): boolean;
  /** Whether the watcher may skip this path and everything below it. */
  prunes(path: string): boolean;
  /** The path relative to `root` with `/` separators (`''` for `root` itself), or undefined outside it. */
  relative(path: string): string | undefined;
}

/** `child` relative to `parent` with `/`, `''` when equal, undefined when `child` is not inside `parent`. */
export function relativeInside(parent: string, child: string): string | undefined {
  const rel = relative(parent, child);
  if (rel === '') return '';
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return sep === '/' ? rel : rel.split(sep).join('/');
}

export function compilePathFilter(spec: PathFilterSpec): PathFilter {
  const root = resolve(spec.root);
  const builtin = compileIgnorePatterns(BUILTIN_IGNORES);
  // Rule patterns get the same cleaning as lines of a .dockerignore file (`build/` → `build`).
  const own = compileIgnorePatterns(parseIgnoreFile(spec.ignore.join('\n')));
  const include = spec.include.length > 0 ? compileIgnorePatterns(parseIgnoreFile(spec.include.join('\n'))) : undefined;
  const context = spec.context === undefined ? undefined : { dir: resolve(spec.context.dir), matcher: compileIgnorePatterns(spec.context.patterns) };
  const ignoredBy = (rel: string, abs: string): IgnoreMatcher | undefined => {
    if (rel !== '' && builtin.ignores(rel)) return builtin;
    if (rel !== '' && own.ignores(rel)) return own;
    if (context !== undefined) {
      const crel = relativeInside(context.dir, abs);
      if (crel !== undefined && crel !== '' && context.matcher.ignores(crel)) return context.matcher;
    }
    return undefined;
  };
  return {
    root,
    relative: (path) => relativeInside(root, path),
    accepts(path) {
      const abs = resolve(path);
      const rel = relativeInside(root, abs);
      if (rel === undefined) return false;
      if (ignoredBy(rel, abs) !== undefined) return false;
      return include === undefined || rel === '' || include.ignores(rel);
    },
    prunes(path) {
      const abs = resolve(path);
      const rel = relativeInside(root, abs);
      // Ancestors of the root must be walked to reach it; anything else outside is not ours.
      if (rel === undefined) return relativeInside(abs, root) === undefined;
      const matcher = ignoredBy(rel, abs);
      if (matcher === undefined) return false;
      const key = matcher === context?.matcher ? (relativeInside(context.dir, abs) ?? rel) : rel;
      return !matcher.mustDescend(key);
    },
  };
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The ignore patterns of a build context: `<Dockerfile>.dockerignore` first, else the context's `.dockerignore`. */
export async function readContextIgnore(contextDir: string, dockerfile: string | undefined): Promise<string[]> {
  const specific = dockerfile === undefined ? undefined : await readIfPresent(`${resolve(contextDir, dockerfile)}.dockerignore`);
  const text = specific ?? (await readIfPresent(join(contextDir, '.dockerignore'))) ?? '';
  return parseIgnoreFile(text);
}
