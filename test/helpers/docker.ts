import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, rmdir, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { isEngineError } from '../../src/engine/engine-error.js';
import type { Engine } from '../../src/engine/engine.js';
import { createDockerEngine } from '../../src/engine/docker/docker-engine.js';
import { LABEL } from '../../src/model/labels.js';

/** The image every test runs: busybox applets, /etc/passwd, /tmp; built locally, no registry. */
export const BASE_IMAGE = 'berth-test-busybox:latest';

/**
 * `describe(..., { skip: skipWithoutDocker }, …)`: tests that need dockerd run unless
 * BERTH_TEST_NO_DOCKER=1 — a missing daemon is a failure, never a silent skip.
 */
export const skipWithoutDocker: string | false = process.env.BERTH_TEST_NO_DOCKER === '1' ? 'BERTH_TEST_NO_DOCKER=1' : false;

/** Whether a Docker daemon answers on DOCKER_HOST or /var/run/docker.sock. */
export async function dockerAvailable(): Promise<boolean> {
  try {
    await createDockerEngine().ping();
    return true;
  } catch {
    return false;
  }
}

/** A docker-driver Engine; throws (so the test fails) when no daemon answers. */
export async function testEngine(): Promise<Engine> {
  const engine = createDockerEngine();
  try {
    await engine.ping();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`these tests need a Docker Engine at ${engine.endpoint.display} (set DOCKER_HOST, or BERTH_TEST_NO_DOCKER=1 to skip them): ${reason}`);
  }
  return engine;
}

let counter = 0;
/** A project name no other test (or test run) uses. */
export function uniqueProject(prefix: string): string {
  counter += 1;
  const clean = prefix.toLowerCase().replace(/[^a-z0-9_-]/g, '-').replace(/^[^a-z0-9]+/, '') || 't';
  return `${clean}-${process.pid}${counter}${randomBytes(3).toString('hex')}`;
}

/** Labels that make a resource belong to a test project (so cleanupProject finds it). */
export function projectLabels(project: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [LABEL.project]: project, ...extra };
}

function busyboxPath(): string {
  const fromEnv = process.env.BERTH_TEST_BUSYBOX;
  const candidates = [...(fromEnv === undefined ? [] : [fromEnv]), '/bin/busybox', '/usr/bin/busybox'];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new Error('the tests need a static busybox binary (Debian package busybox-static) at /bin/busybox');
  return found;
}

async function writeRootfs(dir: string): Promise<void> {
  const busybox = busyboxPath();
  const rootfs = join(dir, 'rootfs');
  await mkdir(join(rootfs, 'bin'), { recursive: true });
  await copyFile(busybox, join(rootfs, 'bin/busybox'));
  const applets = execFileSync(busybox, ['--list-full'], { encoding: 'utf8' }).split('\n').map((l) => l.trim()).filter((l) => l !== '');
  for (const applet of applets) {
    if (applet === 'bin/busybox' || applet.endsWith('/busybox')) continue;
    const target = join(rootfs, applet);
    await mkdir(dirname(target), { recursive: true });
    if (!existsSync(target)) await symlink('/bin/busybox', target);
  }
  await mkdir(join(rootfs, 'etc'), { recursive: true });
  await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  for (const d of ['tmp', 'root', 'var/www', 'data']) await mkdir(join(rootfs, d), { recursive: true });
  await writeFile(join(dir, 'Dockerfile'), [
    'FROM scratch',
    'COPY rootfs/ /',
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'CMD ["sh"]',
    '',
  ].join('\n'));
}

const LOCK = join(tmpdir(), 'berth-test-base-image.lock');

/** Serializes the build across concurrently running test files. */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      await mkdir(LOCK);
      break;
    } catch {
      const st = await stat(LOCK).catch(() => undefined);
      if (st !== undefined && Date.now() - st.mtimeMs > 120_000) await rmdir(LOCK).catch(() => undefined);
      if (i > 1200) throw new Error(`timed out waiting for ${LOCK}`);
      await delay(100);
    }
  }
  try {
    return await fn();
  } finally {
    await rmdir(LOCK).catch(() => undefined);
  }
}

/** Makes BASE_IMAGE exist (built from the host's busybox with FROM scratch); returns its id. */
export async function ensureBaseImage(engine: Engine): Promise<string> {
  const present = await engine.inspectImage(BASE_IMAGE);
  if (present !== undefined) return present.id;
  return withLock(async () => {
    const again = await engine.inspectImage(BASE_IMAGE);
    if (again !== undefined) return again.id;
    const dir = await mkdtemp(join(tmpdir(), 'berth-base-image-'));
    try {
      await writeRootfs(dir);
      return await engine.buildImage({
        context: dir, dockerfile: 'Dockerfile', tags: [BASE_IMAGE], args: {}, labels: {},
        noCache: false, pull: false, extraHosts: [],
      }, {});
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

async function ignoreMissing(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!isEngineError(err, 'not-found')) throw err;
  }
}

/**
 * Removes every container, network, volume and image labelled with the project. Safe to call
 * when nothing was created; reports (throws) what it could not remove after trying everything.
 */
export async function cleanupProject(engine: Engine, project: string): Promise<void> {
  const labels = { [LABEL.project]: project };
  const failures: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      await ignoreMissing(fn);
    } catch (err) {
      failures.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  for (const c of await engine.listContainers({ all: true, labels })) {
    // Anonymous volumes a recreated container inherited are mounted by name: remove them too.
    const mounts = (await engine.inspectContainer(c.id).catch(() => undefined))?.mounts ?? [];
    await attempt(`container ${c.name}`, () => engine.removeContainer(c.id, { force: true, volumes: true }));
    for (const m of mounts) {
      if (m.type === 'volume' && m.name !== undefined && /^[0-9a-f]{64}$/.test(m.name)) {
        // Still used by another container of the project (volumes_from): that one's removal takes it.
        await attempt(`volume ${m.name}`, () =>
          engine.removeVolume(m.name!, false).catch((err: unknown) => {
            if (!isEngineError(err, 'conflict')) throw err;
          }),
        );
      }
    }
  }
  for (const n of await engine.listNetworks(labels)) await attempt(`network ${n.name}`, () => engine.removeNetwork(n.id));
  for (const v of await engine.listVolumes(labels)) await attempt(`volume ${v.name}`, () => engine.removeVolume(v.name, true));
  for (const i of await engine.listImages(labels)) await attempt(`image ${i.id}`, () => engine.removeImage(i.id, true));
  if (failures.length > 0) throw new Error(`cleanup of project ${project} failed:\n${failures.join('\n')}`);
}
