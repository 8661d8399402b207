/**
 * COPY/ADD sources: the build context (filtered by the ignore file) or another stage's root.
 * Wildcards follow Go's filepath.Match per path segment; a source that is itself a symlink is
 * followed, scoped to the root (absolute targets resolve against the root, never the host).
 */
import type { Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { IgnoreMatcher } from '../../../model/ignore-patterns.js';

export interface SourceRoot {
  root: string;
  /** The context's ignore rules; undefined for a stage or image root. */
  matcher?: IgnoreMatcher;
}

export interface SourceItem {
  /** Path relative to the root after following a top-level symlink. */
  rel: string;
  /** The name the source was given by (basename of the matched path). */
  name: string;
  st: Stats;
}

export class SourceError extends Error {}

export function hasWildcard(pattern: string): boolean {
  return /[*?[]/.test(pattern.replace(/\\./g, ''));
}

/** Go filepath.Match for one whole relative path (segments never cross `/`). */
export function wildcardRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]!}`.replace(/^\\([A-Za-z0-9])$/, '$1');
    else if (ch === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) throw new SourceError(`syntax error in pattern ${pattern}`);
      let cls = pattern.slice(i + 1, close);
      if (cls.startsWith('^') || cls.startsWith('!')) cls = `^${cls.slice(1)}`;
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else re += /[.+(){}|$^\]]/.test(ch) ? `\\${ch}` : ch;
  }
  return new RegExp(`^${re}$`, 's');
}

/** Lexically cleaned path relative to the root (`..` cannot climb above it); `''` is the root. */
export function cleanRel(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
}

/** Follows symlinks in `rel` inside `root` (like chroot path resolution). */
export async function scopedResolve(root: string, rel: string): Promise<string> {
  const todo = cleanRel(rel).split('/').filter((p) => p !== '');
  const done: string[] = [];
  for (let hops = 0; todo.length > 0; ) {
    const part = todo.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = [...done, part];
    const st = await lstat(join(root, ...candidate)).catch(() => undefined);
    if (st?.isSymbolicLink() !== true) {
      done.push(part);
      continue;
    }
    if (++hops > 40) throw new SourceError(`too many levels of symbolic links at ${candidate.join('/')}`);
    const target = await readlink(join(root, ...candidate));
    const parts = target.split('/').filter((p) => p !== '' && p !== '.');
    if (target.startsWith('/')) done.length = 0;
    todo.unshift(...parts);
  }
  return done.join('/');
}

async function listAll(src: SourceRoot): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(src.root, rel))).sort()) {
      const child = rel === '' ? name : `${rel}/${name}`;
      const st = await lstat(join(src.root, child));
      const ignored = src.matcher?.ignores(child) ?? false;
      if (!ignored) out.push(child);
      if (st.isDirectory() && (!ignored || src.matcher?.mustDescend(child) === true)) await walk(child);
    }
  };
  await walk('');
  return out;
}

async function item(src: SourceRoot, matched: string, original: string): Promise<SourceItem> {
  const rel = await scopedResolve(src.root, matched);
  const st = await lstat(join(src.root, rel)).catch(() => undefined);
  if (st === undefined || (src.matcher !== undefined && rel !== '' && src.matcher.ignores(rel))) {
    throw new SourceError(`file not found in build context or excluded by .dockerignore: stat ${original}: file does not exist`);
  }
  return { rel, name: posix.basename(matched) || posix.basename(rel), st };
}

/** The items the source patterns name, in order; a pattern that matches nothing is an error. */
export async function resolveSources(src: SourceRoot, patterns: readonly string[]): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  let all: string[] | undefined;
  for (const pattern of patterns) {
    const rel = cleanRel(pattern);
    if (!hasWildcard(rel)) {
      out.push(await item(src, rel, pattern));
      continue;
    }
    all ??= await listAll(src);
    const re = wildcardRegex(rel);
    const matches = all.filter((p) => re.test(p));
    if (matches.length === 0) throw new SourceError(`no source files were specified (${pattern} matches nothing)`);
    for (const m of matches) out.push(await item(src, m, m));
  }
  return out;
}

/** Every path below a directory item (relative to that directory), honouring the ignore rules. */
export async function walkSource(src: SourceRoot, dirRel: string): Promise<Array<{ rel: string; st: Stats }>> {
  const out: Array<{ rel: string; st: Stats }> = [];
  const walk = async (sub: string): Promise<void> => {
    const abs = join(src.root, dirRel, sub);
    for (const name of (await readdir(abs)).sort()) {
      const rel = sub === '' ? name : `${sub}/${name}`;
      const full = dirRel === '' ? rel : `${dirRel}/${rel}`;
      const st = await lstat(join(abs, name));
      const ignored = src.matcher?.ignores(full) ?? false;
      if (!ignored) out.push({ rel, st });
      if (st.isDirectory() && (!ignored || src.matcher?.mustDescend(full) === true)) await walk(rel);
    }
  };
  await walk('');
  return out;
}
