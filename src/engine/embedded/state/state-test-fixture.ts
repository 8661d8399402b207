/** Shared by the state tests: temp roots, minimal records, and running a snippet in another node process. */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerSpec } from '../../engine.js';
import type { ContainerRecord, ContainerRuntimeState } from './container-record.js';

export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `berth-state-${prefix}-`));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function randomId(): string {
  return randomBytes(32).toString('hex');
}

export function makeSpec(name: string): ContainerSpec {
  return {
    name, image: 'busybox:latest', labels: {}, env: [], tty: false, stdinOpen: false, exposedPorts: [], ports: [], mounts: [],
    networkMode: 'bridge', networks: [], links: [], extraHosts: [], dns: [], dnsSearch: [], dnsOptions: [],
    restartPolicy: { name: 'no' }, init: false, privileged: false, readOnlyRootfs: false, capAdd: [], capDrop: [], securityOpt: [],
    sysctls: {}, ulimits: [], tmpfs: {}, devices: [], groupAdd: [], resources: {}, volumesFrom: [],
  };
}

export function makeRecord(id: string, name: string, created = new Date().toISOString()): ContainerRecord {
  return {
    id, name, created, image: 'busybox:latest', imageId: `sha256:${'a'.repeat(64)}`, spec: makeSpec(name),
    process: { args: ['sh'], env: [], cwd: '/', user: '', tty: false },
    stopSignal: 'SIGTERM', stopTimeoutSeconds: 10, mounts: [], layerChainIds: [],
  };
}

export function makeState(): ContainerRuntimeState {
  return { status: 'created', exitCode: 0, oomKilled: false, restartCount: 0, stoppedByUser: false, networks: {}, ports: [] };
}

/** URL of a sibling compiled module, for child processes. */
export function moduleUrl(file: string): string {
  return new URL(`./${file}`, import.meta.url).href;
}

/** Runs an ES module snippet in a fresh node process; resolves with its stdout (rejects on failure). */
export function runNode(code: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`child failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}
