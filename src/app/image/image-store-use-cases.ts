/**
 * The `berth image …` use cases on the embedded engine's image store. They return results and
 * report progress through an event sink; they never print. Failures the store reports as plain
 * errors (a corrupt archive, a bad digest) become CommandErrors with their message.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isEngineError } from '../../engine/engine-error.js';
import type { ImageInfo } from '../../engine/engine.js';
import { parseConfig } from '../../engine/embedded/image/image-config.js';
import type { ImageStore } from '../../engine/embedded/image/image-store.js';
import { familiar } from '../../engine/embedded/image/reference.js';
import { CommandError, UsageError } from '../../errors/diagnostic.js';
import type { EventSink } from '../../events/events.js';
import { applyChanges } from './import-changes.js';
import { inspectObject } from './image-rows.js';
import type { StoreUsage } from './open-store.js';

/** Runs a store operation; plain errors become CommandErrors (EngineErrors and usage errors pass). */
export async function storeCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isEngineError(err) || err instanceof UsageError || err instanceof CommandError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (e.name === 'AbortError') throw err;
    throw new CommandError(`${what}: ${e.message}`);
  }
}

export async function inspectImages(store: ImageStore, refs: readonly string[]): Promise<{ found: Array<Record<string, unknown>>; missing: string[] }> {
  const found: Array<Record<string, unknown>> = [];
  const missing: string[] = [];
  for (const ref of refs) {
    const rec = await store.resolve(ref);
    const info = rec === undefined ? undefined : await store.inspect(rec.id);
    if (rec === undefined || info === undefined) {
      missing.push(ref);
      continue;
    }
    found.push(inspectObject(info, rec, parseConfig(await store.files.readBlob(rec.configDigest))));
  }
  return { found, missing };
}

export type LoadSource = { kind: 'file'; path: string } | { kind: 'stream'; stream: Readable };

function familiarTags(loaded: ReadonlyArray<{ id: string; tags: string[] }>): Array<{ id: string; tags: string[] }> {
  return loaded.map((l) => ({ id: l.id, tags: l.tags.map(familiar) }));
}

/** `docker load`: every image of the archive; a stream is spooled into the store directory first. */
export async function loadImages(store: ImageStore, source: LoadSource): Promise<Array<{ id: string; tags: string[] }>> {
  switch (source.kind) {
    case 'file': {
      const st = await stat(source.path).catch(() => undefined);
      if (st === undefined) throw new CommandError(`open ${source.path}: no such file or directory`);
      if (!st.isFile()) throw new CommandError(`${source.path} is not a file`);
      return familiarTags(await storeCall(`loading ${source.path}`, () => store.load(source.path)));
    }
    case 'stream': {
      // Named like the store's own temp files, so a crashed load's spool is cleaned by prune.
      const spool = join(store.files.root, `.tmp-load-${process.pid}-${randomBytes(4).toString('hex')}`);
      try {
        await pipeline(source.stream, createWriteStream(spool, { mode: 0o600 }));
        const st = await stat(spool);
        if (st.size === 0) throw new CommandError('requested load from stdin, but stdin is empty');
        try {
          return familiarTags(await storeCall('loading from stdin', () => store.load(spool)));
        } catch (err) {
          // The spool file is an implementation detail: name what the user gave.
          if (err instanceof CommandError) throw new CommandError(err.message.replaceAll(spool, 'the archive'));
          throw err;
        }
      } finally {
        await rm(spool, { force: true });
      }
    }
  }
}

export interface RemoveOutcome {
  ref: string;
  untagged: string[];
  deleted: string[];
  error?: string;
}

/** `docker rmi`, each reference on its own: one failing does not stop the others. */
export async function removeImages(store: ImageStore, refs: readonly string[], force: boolean, usage: StoreUsage): Promise<RemoveOutcome[]> {
  const out: RemoveOutcome[] = [];
  for (const ref of refs) {
    try {
      const r = await storeCall(`removing ${ref}`, () => store.remove(ref, force, usage.imagesInUse));
      out.push({ ref, untagged: r.untagged, deleted: r.deleted });
    } catch (err) {
      if (!isEngineError(err) && !(err instanceof CommandError)) throw err;
      out.push({ ref, untagged: [], deleted: [], error: err.message });
    }
  }
  return out;
}

export interface PruneOutcome {
  /** Per removed image: its tags (untagged) and id. */
  images: Array<{ id: string; untagged: string[] }>;
  reclaimed: number;
}

export async function pruneImages(store: ImageStore, all: boolean, usage: StoreUsage): Promise<PruneOutcome> {
  const before = new Map((await store.list()).map((i) => [i.id, i.repoTags]));
  const result = await storeCall('pruning images', () => store.prune({ all, imagesInUse: usage.imagesInUse, layersInUse: usage.layersInUse }));
  return { images: result.images.map((id) => ({ id, untagged: before.get(id) ?? [] })), reclaimed: result.reclaimed };
}

/** `docker pull`, progress as events: image-level statuses on the image's row, layer statuses on one row per layer. */
export async function pullImage(store: ImageStore, ref: string, opts: { platform?: string; events: EventSink; signal?: AbortSignal }): Promise<ImageInfo> {
  const started = Date.now();
  opts.events({ type: 'resource', kind: 'image', name: ref, status: 'Pulling' });
  try {
    const info = await storeCall(`pulling ${ref}`, () =>
      store.pull(ref, {
        ...(opts.platform !== undefined ? { platform: opts.platform } : {}),
        ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
        onProgress: (e) => {
          if (e.kind !== 'pull') return;
          opts.events({ type: 'progress', kind: 'pull', name: e.layer ?? ref, detail: e.status, ...(e.current !== undefined ? { current: e.current } : {}), ...(e.total !== undefined ? { total: e.total } : {}) });
        },
      }),
    );
    opts.events({ type: 'resource', kind: 'image', name: ref, status: 'Pulled', elapsedMs: Date.now() - started });
    return info;
  } catch (err) {
    opts.events({ type: 'resource', kind: 'image', name: ref, status: 'Error', detail: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}

export type ImportSource = { kind: 'file'; path: string } | { kind: 'stream'; stream: Readable };

/** `docker import`: a rootfs tarball (file or stdin) as a one-layer image, `changes` applied to its config. */
export async function importImage(store: ImageStore, source: ImportSource, opts: { ref?: string; changes: readonly string[]; platform?: string }): Promise<ImageInfo> {
  const config = applyChanges(opts.changes);
  if (source.kind === 'file') {
    const st = await stat(source.path).catch(() => undefined);
    if (st === undefined) throw new CommandError(`open ${source.path}: no such file or directory`);
    if (!st.isFile()) throw new CommandError(`${source.path} is not a file`);
  }
  const tar = source.kind === 'file' ? createReadStream(source.path) : source.stream;
  return storeCall(`importing ${source.kind === 'file' ? source.path : 'from stdin'}`, () =>
    store.importRootfs(tar, {
      config,
      refs: opts.ref !== undefined ? [opts.ref] : [],
      comment: `Imported from ${source.kind === 'file' ? source.path : '-'}`,
      ...(opts.platform !== undefined ? { platform: opts.platform } : {}),
    }),
  );
}
