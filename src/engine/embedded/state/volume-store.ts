/**
 * Local volumes: `<volumes>/<name>/_data` holds the content, `<name>/meta.json` the VolumeMeta
 * (its presence marks a complete volume). Creation and removal serialize on a store-wide lock;
 * copy-up on a per-volume one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Labels, VolumeInfo, VolumeSpec } from '../../engine.js';
import { EngineError } from '../../engine-error.js';
import { writeJsonAtomic } from '../image/atomic-file.js';
import { withLock } from '../image/store-lock.js';
import type { EmbeddedPaths } from '../paths.js';
import { matchesLabels } from './label-filter.js';
import { copyDirContents, resolveInRoot } from './volume-copy.js';

export interface VolumeMeta {
  name: string;
  driver: 'local';
  labels: Labels;
  driverOpts: Record<string, string>;
  /** ISO-8601. */
  created: string;
  anonymous: boolean;
  /** Set once the first container's image content was copied in (or there was nothing to copy). */
  initialized: boolean;
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const OPTION_KEYS = new Set(['type', 'o', 'device']);

function validateName(name: string): void {
  if (name.length < 2 && /^[a-zA-Z0-9]*$/.test(name)) {
    throw new EngineError('failed', 'create volume', name, `create ${name}: volume name is too short, names should be at least two alphanumeric characters`);
  }
  if (!NAME_RE.test(name)) {
    throw new EngineError('failed', 'create volume', name,
      `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
}

/** The bind device of `{type: none, o: bind, device}`, undefined for a plain volume; other kinds are refused. */
function bindDevice(name: string, opts: Readonly<Record<string, string>>, operation: string): string | undefined {
  for (const key of Object.keys(opts).sort()) {
    if (!OPTION_KEYS.has(key)) throw new EngineError('failed', operation, name, `${operation} ${name}: invalid option key: "${key}"`);
  }
  if (Object.keys(opts).length === 0) return undefined;
  const binds = (opts['o'] ?? '').split(',').some((o) => o === 'bind' || o === 'rbind');
  if (opts['type'] === 'none' && binds && opts['device'] !== undefined && opts['device'] !== '') return resolve(opts['device']);
  throw new EngineError('unsupported', operation, name,
    `${operation} ${name}: the embedded engine supports local volumes with driver_opts {type: none, o: bind, device: /path} only (got ${JSON.stringify(opts)})`);
}

function noSuchVolume(operation: string, name: string): EngineError {
  return new EngineError('not-found', operation, name, `get ${name}: no such volume`);
}

export class VolumeStore {
  constructor(private readonly paths: EmbeddedPaths) {}

  private dir(name: string): string {
    return join(this.paths.volumes, name);
  }

  private dataDir(name: string): string {
    return join(this.dir(name), '_data');
  }

  private info(meta: VolumeMeta): VolumeInfo {
    return { name: meta.name, driver: meta.driver, labels: meta.labels, mountpoint: this.dataDir(meta.name) };
  }

  private async storeLock<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(this.paths.volumes, { recursive: true, mode: 0o701 });
    return withLock(join(this.paths.volumes, '.lock'), fn);
  }

  private async tryMeta(name: string): Promise<VolumeMeta | undefined> {
    if (!NAME_RE.test(name)) return undefined;
    try {
      return JSON.parse(await readFile(join(this.dir(name), 'meta.json'), 'utf8')) as VolumeMeta;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async readMeta(name: string, operation = 'inspect volume'): Promise<VolumeMeta> {
    const meta = await this.tryMeta(name);
    if (meta === undefined) throw noSuchVolume(operation, name);
    return meta;
  }

  /** Creates the volume; an existing one is returned unchanged (like Docker). */
  async create(spec: VolumeSpec): Promise<VolumeInfo> {
    return this.createVolume(spec, false);
  }

  /** A volume with a random 64-hex name (a container's anonymous volume). */
  async createAnonymous(labels: Labels = {}): Promise<VolumeInfo> {
    return this.createVolume({ name: randomBytes(32).toString('hex'), labels }, true);
  }

  private async createVolume(spec: VolumeSpec, anonymous: boolean): Promise<VolumeInfo> {
    validateName(spec.name);
    if (spec.driver !== undefined && spec.driver !== '' && spec.driver !== 'local') {
      throw new EngineError('unsupported', 'create volume', spec.name, `create ${spec.name}: volume driver "${spec.driver}" is not supported by the embedded engine (only "local")`);
    }
    const driverOpts = spec.driverOpts ?? {};
    bindDevice(spec.name, driverOpts, 'create');
    return this.storeLock(async () => {
      const existing = await this.tryMeta(spec.name);
      if (existing !== undefined) return this.info(existing);
      await mkdir(this.dataDir(spec.name), { recursive: true, mode: 0o755 });
      const meta: VolumeMeta = {
        name: spec.name, driver: 'local', labels: { ...spec.labels }, driverOpts: { ...driverOpts },
        created: new Date().toISOString(), anonymous, initialized: false,
      };
      await writeJsonAtomic(join(this.dir(spec.name), 'meta.json'), meta);
      return this.info(meta);
    });
  }

  async inspect(name: string): Promise<VolumeInfo> {
    return this.info(await this.readMeta(name));
  }

  /** Volumes matching the label filter, sorted by name. */
  async list(filter: Record<string, string | undefined> = {}): Promise<VolumeInfo[]> {
    const names = await readdir(this.paths.volumes).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    const metas = await Promise.all(names.filter((n) => NAME_RE.test(n)).sort().map((n) => this.tryMeta(n)));
    return metas.filter((m): m is VolumeMeta => m !== undefined && matchesLabels(m.labels, filter)).map((m) => this.info(m));
  }

  /** Removes the volume (never a bind device's content); refused while containers use it. */
  async remove(name: string, inUseBy: string[]): Promise<void> {
    await this.storeLock(async () => {
      await this.readMeta(name, 'remove volume');
      if (inUseBy.length > 0) {
        throw new EngineError('conflict', 'remove volume', name, `remove ${name}: volume is in use - [${[...inUseBy].sort().join(' ')}]`);
      }
      // meta.json first: a removal cut short leaves no half-visible volume.
      await rm(join(this.dir(name), 'meta.json'), { force: true });
      await rm(this.dir(name), { recursive: true, force: true });
    });
  }

  /** The host path to bind at the mount target: `_data`, or the device of a bind volume (which must exist). */
  async mountSource(name: string): Promise<string> {
    const meta = await this.readMeta(name, 'mount volume');
    const device = bindDevice(name, meta.driverOpts, 'mount volume');
    if (device === undefined) return this.dataDir(name);
    const st = await stat(device).catch(() => undefined);
    if (st === undefined) {
      throw new EngineError('failed', 'mount volume', name, `error while mounting volume '${name}': bind device ${device} does not exist`);
    }
    if (!st.isDirectory()) {
      throw new EngineError('failed', 'mount volume', name, `error while mounting volume '${name}': bind device ${device} is not a directory`);
    }
    return device;
  }

  /**
   * Docker's copy-up: the first time a container mounts the volume, and only when the volume is
   * empty, the image's content at the mount target (`fromDir`, missing → nothing) is copied in.
   * With `root`, `fromDir` must lie under it and is resolved inside it, so symlinks in the image
   * cannot lead to host paths.
   */
  async copyUp(name: string, fromDir: string, opts: { root?: string } = {}): Promise<void> {
    const first = await this.readMeta(name, 'mount volume');
    if (first.initialized) return;
    await withLock(join(this.dir(name), 'copy-up.lock'), async () => {
      const meta = await this.readMeta(name, 'mount volume');
      if (meta.initialized) return;
      const dest = await this.mountSource(name);
      const src = opts.root !== undefined ? await resolveInRoot(opts.root, inside(opts.root, fromDir)) : fromDir;
      const srcStat = src !== undefined ? await stat(src).catch(() => undefined) : undefined;
      if (src !== undefined && srcStat?.isDirectory() === true && (await readdir(dest)).length === 0) {
        await copyDirContents(src, dest);
      }
      await writeJsonAtomic(join(this.dir(name), 'meta.json'), { ...meta, initialized: true });
    });
  }
}

/** `path` relative to `root` as an absolute in-container path (`/data`). */
function inside(root: string, path: string): string {
  const r = resolve(root);
  const p = resolve(path);
  if (p === r) return '/';
  if (!p.startsWith(`${r}/`)) {
    throw new EngineError('failed', 'mount volume', path, `copy-up source ${p} is not inside the container root ${r}`);
  }
  return p.slice(r.length);
}
