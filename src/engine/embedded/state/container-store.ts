/**
 * Containers on disk: `<containers>/<id>/config.json` (ContainerRecord) and `state.json`
 * (ContainerRuntimeState). Readers take no lock (every write is an atomic rename); writers
 * serialize per container, and name changes serialize store-wide so names stay unique.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../../engine-error.js';
import { writeFileAtomicVolatile, writeJsonAtomic } from '../image/atomic-file.js';
import { withLock as withFileLock } from '../image/store-lock.js';
import { containerPaths, type EmbeddedPaths } from '../paths.js';
import type { ContainerRecord, ContainerRuntimeState, StoredContainer } from './container-record.js';

const ID_RE = /^[0-9a-f]{64}$/;

export interface UpdateOptions {
  /** The caller already holds this container's lock (inside `withLock`). */
  locked?: boolean;
  /**
   * The new state only matters within this boot (a reboot reaps the container anyway): written
   * atomically against a killed process, without the fsyncs that make it survive a power loss.
   */
  volatile?: boolean;
}

function notFound(operation: string, ref: string): EngineError {
  return new EngineError('not-found', operation, ref, `No such container: ${ref}`);
}

function nameConflict(operation: string, name: string, holder: string): EngineError {
  return new EngineError('conflict', operation, name,
    `Conflict. The container name "/${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`);
}

/**
 * Synchronous on purpose: these files are small and a listing reads ~100 of them; the thread
 * pool round trips of async reads cost more than the reads themselves.
 */
function readJson<T>(path: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
  return JSON.parse(text) as T;
}

export class ContainerStore {
  private readonly locks: string;

  constructor(private readonly paths: EmbeddedPaths) {
    this.locks = join(paths.containers, '.locks');
  }

  async init(): Promise<void> {
    await mkdir(this.locks, { recursive: true, mode: 0o700 });
  }

  /** Store-wide lock: held while a name is claimed or changed. */
  private withNamesLock<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(join(this.locks, 'names.lock'), fn);
  }

  /** Serializes writers of one container (start/stop/update…); reads never wait for it. */
  async withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    await mkdir(this.locks, { recursive: true, mode: 0o700 });
    return withFileLock(join(this.locks, `${id}.lock`), fn);
  }

  private async ids(): Promise<string[]> {
    const names = await readdir(this.paths.containers).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    return names.filter((n) => ID_RE.test(n)).sort();
  }

  readRecord(id: string): Promise<ContainerRecord | undefined> {
    return Promise.resolve(readJson<ContainerRecord>(containerPaths(this.paths, id).config));
  }

  /** All complete containers (a dir without config.json is half-created and skipped), by creation time then name. */
  async list(): Promise<StoredContainer[]> {
    const ids = await this.ids();
    const found = ids.map((id) => {
      const files = containerPaths(this.paths, id);
      const record = readJson<ContainerRecord>(files.config);
      const state = record !== undefined ? readJson<ContainerRuntimeState>(files.state) : undefined;
      return record !== undefined && state !== undefined ? { record, state } : undefined;
    });
    return found
      .filter((c): c is StoredContainer => c !== undefined)
      .sort((a, b) => (a.record.created < b.record.created ? -1 : a.record.created > b.record.created ? 1 : a.record.name < b.record.name ? -1 : a.record.name > b.record.name ? 1 : 0));
  }

  private async records(): Promise<ContainerRecord[]> {
    const ids = await this.ids();
    const records = await Promise.all(ids.map((id) => this.readRecord(id)));
    return records.filter((r): r is ContainerRecord => r !== undefined);
  }

  /**
   * A full id, a container name (with or without a leading `/`) or a unique id prefix, in that
   * order of precedence like Docker. Undefined when nothing matches; an ambiguous prefix throws.
   */
  async resolve(ref: string, operation = 'find container'): Promise<string | undefined> {
    if (ref === '') return undefined;
    if (ID_RE.test(ref) && (await this.readRecord(ref)) !== undefined) return ref;
    const records = await this.records();
    const name = ref.startsWith('/') ? ref.slice(1) : ref;
    const byName = records.find((r) => r.name === name);
    if (byName !== undefined) return byName.id;
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const matches = records.filter((r) => r.id.startsWith(ref));
    if (matches.length > 1) {
      throw new EngineError('conflict', operation, ref, `multiple IDs found with provided prefix: ${ref}`);
    }
    return matches[0]?.id;
  }

  async get(ref: string, operation: string): Promise<StoredContainer> {
    const id = await this.resolve(ref, operation);
    if (id === undefined) throw notFound(operation, ref);
    const files = containerPaths(this.paths, id);
    const record = readJson<ContainerRecord>(files.config);
    const state = readJson<ContainerRuntimeState>(files.state);
    if (record === undefined || state === undefined) throw notFound(operation, ref);
    return { record, state };
  }

  readState(id: string): Promise<ContainerRuntimeState> {
    const state = readJson<ContainerRuntimeState>(containerPaths(this.paths, id).state);
    return state === undefined ? Promise.reject(notFound('read container state', id)) : Promise.resolve(state);
  }

  /**
   * Claims the record's name and writes both files. state.json goes first: config.json marks
   * the container as complete for `list()`.
   */
  async create(record: ContainerRecord, state: ContainerRuntimeState): Promise<void> {
    if (!ID_RE.test(record.id)) throw new EngineError('failed', 'create container', record.name, `create container ${record.name}: invalid id ${JSON.stringify(record.id)}`);
    const files = containerPaths(this.paths, record.id);
    await this.init();
    await this.withNamesLock(async () => {
      const records = await this.records();
      const holder = records.find((r) => r.name === record.name);
      if (holder !== undefined) throw nameConflict('create container', record.name, holder.id);
      if (records.some((r) => r.id === record.id)) {
        throw new EngineError('conflict', 'create container', record.id, `create container ${record.name}: a container with id ${record.id} already exists`);
      }
      await mkdir(files.dir, { recursive: true, mode: 0o700 });
      await writeJsonAtomic(files.state, state);
      await writeJsonAtomic(files.config, record);
    });
  }

  /** Rewrites config.json (network connect/disconnect). Names change only through `rename`. */
  async writeRecord(record: ContainerRecord): Promise<void> {
    const files = containerPaths(this.paths, record.id);
    if ((await this.readRecord(record.id)) === undefined) throw notFound('update container', record.id);
    await writeJsonAtomic(files.config, record);
  }

  /** Writes state.json as is; the caller holds the container's lock. */
  async writeState(id: string, state: ContainerRuntimeState, opts: { volatile?: boolean } = {}): Promise<void> {
    const files = containerPaths(this.paths, id);
    if ((await this.readRecord(id)) === undefined) throw notFound('update container', id);
    if (opts.volatile === true) writeFileAtomicVolatile(files.state, `${JSON.stringify(state, null, 2)}\n`);
    else await writeJsonAtomic(files.state, state);
  }

  /** Read-modify-write of state.json under the container's lock; returns the new state. */
  async update(
    id: string,
    fn: (state: ContainerRuntimeState) => ContainerRuntimeState | Promise<ContainerRuntimeState>,
    opts: UpdateOptions = {},
  ): Promise<ContainerRuntimeState> {
    const run = async (): Promise<ContainerRuntimeState> => {
      const next = await fn(await this.readState(id));
      await this.writeState(id, next, { volatile: opts.volatile === true });
      return next;
    };
    return opts.locked === true ? run() : this.withLock(id, run);
  }

  async rename(id: string, name: string): Promise<void> {
    const clean = name.startsWith('/') ? name.slice(1) : name;
    await this.withNamesLock(async () => {
      const records = await this.records();
      const self = records.find((r) => r.id === id);
      if (self === undefined) throw notFound('rename container', id);
      const holder = records.find((r) => r.name === clean);
      if (holder !== undefined && holder.id !== id) throw nameConflict('rename container', clean, holder.id);
      if (self.name === clean) return;
      await writeJsonAtomic(containerPaths(this.paths, id).config, { ...self, name: clean });
    });
  }

  /** Deletes the container's directory (the caller has unmounted its rootfs). */
  async remove(id: string): Promise<void> {
    if (!ID_RE.test(id)) throw notFound('remove container', id);
    const files = containerPaths(this.paths, id);
    // config.json first: from then on the container is invisible even if rm stops halfway.
    await rm(files.config, { force: true });
    await rm(files.dir, { recursive: true, force: true });
  }
}
