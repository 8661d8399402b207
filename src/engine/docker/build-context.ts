import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { compileIgnorePatterns, parseIgnoreFile } from '../../model/ignore-patterns.js';
import type { IgnoreMatcher } from '../../model/ignore-patterns.js';
import type { BuildSpec } from '../engine.js';
import type { TarEntry } from '../../model/tar.js';

export interface BuildContext {
  entries: TarEntry[];
  /** The Dockerfile's path inside the archive (the API's `dockerfile` parameter). */
  dockerfile: string;
}

const toSlash = (p: string): string => (sep === '/' ? p : p.split(sep).join('/'));

async function readIgnore(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** `<Dockerfile>.dockerignore` beside the Dockerfile wins over the context's `.dockerignore`. */
export async function loadIgnoreMatcher(context: string, dockerfilePath: string | undefined): Promise<IgnoreMatcher> {
  const specific = dockerfilePath === undefined ? undefined : await readIgnore(`${dockerfilePath}.dockerignore`);
  const text = specific ?? (await readIgnore(join(context, '.dockerignore'))) ?? '';
  return compileIgnorePatterns(parseIgnoreFile(text));
}

async function walk(root: string, rel: string, matcher: IgnoreMatcher, out: TarEntry[]): Promise<void> {
  const names = (await readdir(join(root, rel))).sort();
  for (const name of names) {
    const childRel = rel === '' ? name : `${rel}/${name}`;
    const abs = join(root, childRel);
    const st = await lstat(abs);
    const ignored = matcher.ignores(childRel);
    const base = { path: childRel, mode: st.mode & 0o7777, mtime: Math.floor(st.mtimeMs / 1000) };
    if (st.isDirectory()) {
      if (ignored && !matcher.mustDescend(childRel)) continue;
      if (!ignored) out.push({ type: 'dir', ...base });
      await walk(root, childRel, matcher, out);
    } else if (ignored) {
      continue;
    } else if (st.isSymbolicLink()) {
      out.push({ type: 'symlink', ...base, linkTarget: await readlink(abs) });
    } else if (st.isFile()) {
      out.push({ type: 'file', ...base, content: { file: abs, size: st.size } });
    }
    // Sockets, fifos and devices have no place in a build context.
  }
}

async function forcedFile(context: string, rel: string, entries: TarEntry[]): Promise<void> {
  if (entries.some((e) => e.path === rel)) return;
  let st;
  try {
    st = await lstat(join(context, rel));
  } catch {
    return;
  }
  if (!st.isFile()) return;
  entries.push({ type: 'file', path: rel, mode: st.mode & 0o7777, mtime: Math.floor(st.mtimeMs / 1000), content: await readFile(join(context, rel)) });
}

/**
 * The files of a build context, filtered by the ignore file. The Dockerfile and `.dockerignore`
 * are always sent; an inline Dockerfile or one outside the context is added under a generated name.
 */
export async function collectBuildContext(spec: BuildSpec): Promise<BuildContext> {
  const context = resolve(spec.context);
  const inline = spec.dockerfileInline;
  const dockerfileAbs = inline === undefined ? resolve(context, spec.dockerfile) : undefined;
  const matcher = await loadIgnoreMatcher(context, dockerfileAbs);
  const entries: TarEntry[] = [];
  await walk(context, '', matcher, entries);
  await forcedFile(context, '.dockerignore', entries);
  const now = Math.floor(Date.now() / 1000);
  if (inline !== undefined) {
    const content = Buffer.from(inline, 'utf8');
    const name = `.dockerfile.inline.${createHash('sha256').update(content).digest('hex').slice(0, 12)}`;
    entries.push({ type: 'file', path: name, mode: 0o644, mtime: now, content });
    return { entries, dockerfile: name };
  }
  const rel = toSlash(relative(context, dockerfileAbs ?? ''));
  if (rel.startsWith('..') || isAbsolute(rel)) {
    const content = await readFile(dockerfileAbs ?? '');
    const name = `.dockerfile.${createHash('sha256').update(content).digest('hex').slice(0, 12)}`;
    entries.push({ type: 'file', path: name, mode: 0o644, mtime: now, content });
    return { entries, dockerfile: name };
  }
  await forcedFile(context, rel, entries);
  return { entries, dockerfile: rel };
}
