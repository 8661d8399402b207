/**
 * createContainer: resolves the spec against the image (entrypoint/cmd, env, working dir, user,
 * healthcheck, stop signal, image volumes → anonymous volumes) into a record on disk. Nothing
 * runs yet; `start` mounts, networks and launches.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { EngineError } from '../engine-error.js';
import type { ContainerMount, ContainerSpec, HealthcheckSpec, ImageInfo } from '../engine.js';
import type { Core } from './core.js';
import { mountRootfs } from './container-bundle.js';
import type { ContainerRecord, ContainerRuntimeState } from './state/container-record.js';

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Image env overridden key by key by the container's, PATH and HOSTNAME filled in like Docker. */
export function mergeEnv(image: readonly string[], own: readonly string[], hostname: string): string[] {
  const out = new Map<string, string>();
  const key = (e: string): string => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e);
  out.set('PATH', DEFAULT_PATH);
  out.set('HOSTNAME', `HOSTNAME=${hostname}`);
  for (const e of image) out.set(key(e), e);
  for (const e of own) out.set(key(e), e);
  // PATH stays first and HOSTNAME second, like Docker's inspect output.
  return [...out.values()];
}

/** Docker's rule: an entrypoint override clears the image's command. */
export function processArgs(spec: ContainerSpec, image: ImageInfo['config']): string[] {
  const entrypoint = spec.entrypoint ?? image.entrypoint ?? [];
  const command = spec.command ?? (spec.entrypoint !== undefined ? [] : image.command ?? []);
  return [...entrypoint, ...command];
}

function mergeHealthcheck(own: HealthcheckSpec | undefined, image: HealthcheckSpec | undefined): HealthcheckSpec | undefined {
  if (own === undefined) return image?.test[0] === 'NONE' ? undefined : image;
  if (own.test.length > 0 && own.test[0] === 'NONE') return undefined;
  const merged: HealthcheckSpec = { ...(image ?? { test: [] }), ...own, test: own.test.length > 0 ? own.test : image?.test ?? [] };
  return merged.test.length === 0 ? undefined : merged;
}

function normalizeTarget(target: string): string {
  return posix.normalize(target).replace(/(.)\/$/, '$1');
}

export async function createContainer(core: Core, spec: ContainerSpec): Promise<string> {
  const op = 'create container';
  const image = await core.images.inspect(spec.image);
  if (image === undefined) throw new EngineError('not-found', op, spec.image, `No such image: ${spec.image}`);
  const args = processArgs(spec, image.config);
  if (args.length === 0) throw new EngineError('failed', op, spec.name, `create container ${spec.name}: no command specified`);
  const id = randomBytes(32).toString('hex');
  const hostname = spec.hostname ?? id.slice(0, 12);

  // Image volumes not covered by an explicit mount become anonymous volumes, like Docker.
  const covered = new Set(spec.mounts.map((m) => normalizeTarget(m.target)));
  for (const t of Object.keys(spec.tmpfs)) covered.add(normalizeTarget(t));
  const mounts: ContainerMount[] = [];
  const created: string[] = [];
  try {
    for (const m of spec.mounts) {
      switch (m.type) {
        case 'bind':
          mounts.push({ type: 'bind', source: m.source, target: m.target, readOnly: m.readOnly });
          break;
        case 'volume': {
          const vol = m.source === undefined
            ? await core.volumes.createAnonymous({})
            : await core.volumes.inspect(m.source).catch(async (err: unknown) => {
              if (err instanceof EngineError && err.kind === 'not-found') return core.volumes.create({ name: m.source!, labels: {} });
              throw err;
            });
          if (m.source === undefined) created.push(vol.name);
          mounts.push({ type: 'volume', name: vol.name, source: vol.mountpoint, target: m.target, readOnly: m.readOnly });
          break;
        }
        case 'tmpfs':
          mounts.push({ type: 'tmpfs', source: '', target: m.target, readOnly: m.readOnly });
          break;
      }
    }
    for (const target of image.config.volumes) {
      if (covered.has(normalizeTarget(target))) continue;
      const vol = await core.volumes.createAnonymous({});
      created.push(vol.name);
      mounts.push({ type: 'volume', name: vol.name, source: vol.mountpoint, target, readOnly: false });
    }

    const healthcheck = mergeHealthcheck(spec.healthcheck, image.config.healthcheck);
    const record: ContainerRecord = {
      id,
      name: spec.name.replace(/^\//, ''),
      created: new Date().toISOString(),
      image: spec.image,
      imageId: image.id,
      spec,
      process: {
        args,
        env: mergeEnv(image.config.env, spec.env, hostname),
        cwd: spec.workingDir ?? image.config.workingDir ?? '/',
        user: spec.user ?? image.config.user ?? '',
        tty: spec.tty,
      },
      stopSignal: spec.stopSignal ?? image.config.stopSignal ?? 'SIGTERM',
      stopTimeoutSeconds: spec.stopTimeoutSeconds ?? 10,
      ...(healthcheck !== undefined ? { healthcheck } : {}),
      mounts,
      layerChainIds: await core.images.chainIds(image.id),
    };
    const state: ContainerRuntimeState = {
      status: 'created', exitCode: 0, oomKilled: false, restartCount: 0, stoppedByUser: false, networks: {}, ports: [],
    };
    // The store makes the container's directory once the name is known to be free.
    await core.containers.create(record, state);
    // The root file system is prepared at create, like Docker's layer: a start then only
    // needs the network and the runtime. A failure here shows again (and is reported) at start.
    await mountRootfs(core, { record, state }).catch(() => undefined);
  } catch (err) {
    for (const v of created) await core.volumes.remove(v, []).catch(() => undefined);
    throw err;
  }
  await core.emit('container', 'create', id, { ...spec.labels, name: spec.name, image: spec.image });
  return id;
}
