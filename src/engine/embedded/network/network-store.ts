/**
 * Network and endpoint records on disk: `<networks>/<id>.json`, `<networks>/endpoints/<container
 * id>.json`. Changes are serialised by one PID lock file (`<networks>/.lock`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../image/atomic-file.js';
import { withLock } from '../image/store-lock.js';
import type { EndpointRecord, NetworkRecord } from './network-types.js';

/**
 * Synchronous on purpose (like the container store): the records are small, and one `up` reads
 * the endpoint directory dozens of times; the thread pool round trips of async reads cost ten
 * times more than the reads.
 */
function readJsonFile<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    // Removed by another process between readdir and read.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function readJsonDir<T>(dir: string): Promise<T[]> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Promise.resolve([]);
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  const out: T[] = [];
  try {
    for (const n of names.filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort()) {
      const rec = readJsonFile<T>(join(dir, n));
      if (rec !== undefined) out.push(rec);
    }
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  return Promise.resolve(out);
}

export class NetworkStore {
  private readonly endpointsDir: string;

  constructor(private readonly dir: string) {
    this.endpointsDir = join(dir, 'endpoints');
  }

  async locked<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(this.endpointsDir, { recursive: true });
    return withLock(join(this.dir, '.lock'), fn);
  }

  networks(): Promise<NetworkRecord[]> {
    return readJsonDir<NetworkRecord>(this.dir);
  }

  writeNetwork(rec: NetworkRecord): Promise<void> {
    return writeJsonAtomic(join(this.dir, `${rec.id}.json`), rec);
  }

  deleteNetwork(id: string): Promise<void> {
    return rm(join(this.dir, `${id}.json`), { force: true });
  }

  endpoints(): Promise<EndpointRecord[]> {
    return readJsonDir<EndpointRecord>(this.endpointsDir);
  }

  endpoint(containerId: string): Promise<EndpointRecord | undefined> {
    try {
      return Promise.resolve(readJsonFile<EndpointRecord>(join(this.endpointsDir, `${containerId}.json`)));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  writeEndpoint(rec: EndpointRecord): Promise<void> {
    return writeJsonAtomic(join(this.endpointsDir, `${rec.containerId}.json`), rec);
  }

  deleteEndpoint(containerId: string): Promise<void> {
    return rm(join(this.endpointsDir, `${containerId}.json`), { force: true });
  }
}

/** By exact id, exact name, then unique id prefix. */
export function findNetwork(nets: readonly NetworkRecord[], ref: string): NetworkRecord | undefined {
  const exact = nets.find((n) => n.id === ref) ?? nets.find((n) => n.name === ref);
  if (exact !== undefined || ref === '') return exact;
  const byPrefix = nets.filter((n) => n.id.startsWith(ref));
  return byPrefix.length === 1 ? byPrefix[0] : undefined;
}
