/**
 * COPY and ADD: destination rules (trailing slash, WORKDIR-relative, several sources need a
 * directory), --chown (names through the image's passwd/group; a user alone means gid = uid),
 * --chmod, and ADD's local tar archives (plain or gzip, extracted with their owners).
 */
import { mkdtemp } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { readMergedFile } from '../image/image-config.js';
import type { LayerView } from '../image/image-config.js';
import { openTarFile } from '../image/layer-compression.js';
import { extractLayerTar } from '../image/tar-extract.js';
import { addCopyItems, withParents } from './copy-layer.js';
import { resolveSources, SourceError } from './copy-sources.js';
import type { SourceItem, SourceRoot } from './copy-sources.js';
import type { LayerEntry } from './layer-tar.js';
import { mergedLstat } from './merged-view.js';

export interface CopyRequest {
  kind: 'copy' | 'add';
  sources: string[];
  dest: string;
  workdir: string;
  chown?: string;
  chmod?: string;
  /** The files' root: the context, or a mounted stage/image. */
  src: SourceRoot;
  fromContext: boolean;
  layers: readonly LayerView[];
  tmpDir: string;
}

export class UnsupportedSourceError extends Error {}

function table(text: string | undefined): string[][] {
  return (text ?? '').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => l.split(':'));
}

export async function chownIds(spec: string, layers: readonly LayerView[]): Promise<{ uid: number; gid: number }> {
  const [user = '', group] = spec.split(':', 2);
  const numeric = (s: string): boolean => /^\d+$/.test(s);
  let uid: number;
  if (numeric(user)) uid = parseInt(user, 10);
  else {
    const entry = table((await readMergedFile(layers, 'etc/passwd'))?.toString('utf8')).find((p) => p[0] === user);
    if (entry === undefined) throw new SourceError(`unable to convert uid/gid chown string to host mapping: can't find uid for user ${user}: no such user: ${user}`);
    uid = parseInt(entry[2] ?? '0', 10);
  }
  if (group === undefined || group === '') return { uid, gid: uid };
  if (numeric(group)) return { uid, gid: parseInt(group, 10) };
  const g = table((await readMergedFile(layers, 'etc/group'))?.toString('utf8')).find((e) => e[0] === group);
  if (g === undefined) throw new SourceError(`unable to convert uid/gid chown string to host mapping: can't find gid for group ${group}: no such group: ${group}`);
  return { uid, gid: parseInt(g[2] ?? '0', 10) };
}

/** Whether a file is a tar archive, plain or gzip-compressed (what ADD unpacks). */
async function isTarArchive(file: string): Promise<boolean> {
  let buf = Buffer.alloc(0);
  try {
    const stream = await openTarFile(file);
    for await (const chunk of stream) {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 512) break;
    }
  } catch {
    return false;
  }
  return buf.length >= 262 && buf.subarray(257, 262).toString('latin1') === 'ustar';
}

/** The entries of the COPY/ADD layer. */
export async function copyEntries(req: CopyRequest, now: number): Promise<LayerEntry[]> {
  for (const s of req.sources) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) || s.startsWith('git@')) {
      throw new UnsupportedSourceError(`${req.kind.toUpperCase()} from a URL or git repository (${s}) is not supported by berth's embedded builder; download the file into the build context instead`);
    }
  }
  const owner = req.chown !== undefined && req.chown !== '' ? await chownIds(req.chown, req.layers) : undefined;
  let chmod: number | undefined;
  if (req.chmod !== undefined && req.chmod !== '') {
    if (!/^[0-7]{3,4}$/.test(req.chmod)) throw new SourceError(`invalid --chmod=${req.chmod}: only octal modes are supported`);
    chmod = parseInt(req.chmod, 8);
  }
  const items = await resolveSources(req.src, req.sources);
  const dest = req.dest.startsWith('/') ? req.dest : posix.join(req.workdir === '' ? '/' : req.workdir, req.dest);
  const trailing = req.dest.endsWith('/') || req.dest === '.' || req.dest.endsWith('/.');
  const existingDir = (await mergedLstat(req.layers, dest))?.isDirectory() === true;
  if (items.length > 1 && !trailing && !existingDir) {
    throw new SourceError(`When using ${req.kind.toUpperCase()} with more than one source file, the destination must be a directory and end with a /`);
  }
  const destIsDir = trailing || existingDir || items.length > 1;
  const entries = new Map<string, LayerEntry>();
  const base = { dest, destIsDir, now, ...(owner !== undefined ? { owner } : {}), ...(chmod !== undefined ? { chmod } : {}) };
  const plain: SourceItem[] = [];
  for (const it of items) {
    if (req.kind === 'add' && req.fromContext && it.st.isFile() && (await isTarArchive(join(req.src.root, it.rel)))) {
      const staging = await mkdtemp(join(req.tmpDir, 'add-'));
      await extractLayerTar(await openTarFile(join(req.src.root, it.rel)), staging);
      const root: SourceRoot = { root: staging };
      const [dirItem] = await resolveSources(root, ['.']);
      await addCopyItems(entries, root, dirItem === undefined ? [] : [dirItem], { ...base, destIsDir: true, keepOwners: owner === undefined });
      continue;
    }
    plain.push(it);
  }
  await addCopyItems(entries, req.src, plain, base);
  const dirDest = destIsDir || items.some((i) => i.st.isDirectory());
  return withParents(entries, req.layers, dirDest ? [dest] : [], { ...(owner !== undefined ? { owner } : {}), now });
}
