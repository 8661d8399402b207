import type { Readable } from 'node:stream';
import type { ContainerMount, MountSpec } from '../engine/engine.js';
import type { FileReference, Project, SecretOrConfig, ServiceConfig } from '../model/project.js';
import { tarStream, withParentDirs } from '../model/tar.js';
import { volumeName } from './naming.js';
import { SpecError } from './spec-error.js';
import { bytes } from './spec-runtime.js';

/** A secret or config written into the container (tar copy) before it starts. */
export interface FileCopy {
  /** Absolute path in the container. */
  target: string;
  content: string;
  uid: number;
  gid: number;
  mode: number;
}

/** One archive, extracted at `/`, that writes every copy (with its parent directories). */
export function copiesArchive(copies: readonly FileCopy[]): Readable {
  return tarStream(withParentDirs(copies.map((c) => ({
    type: 'file', path: c.target.replace(/^\/+/, ''), content: Buffer.from(c.content), mode: c.mode, uid: c.uid, gid: c.gid,
  }))));
}

/**
 * The service's volumes as mounts. Anonymous volumes take the volume name the replaced
 * container had at the same target, so data survives a recreate (unless `-V`).
 */
export function serviceMounts(project: Project, s: ServiceConfig, inherited: readonly ContainerMount[]): MountSpec[] {
  const out: MountSpec[] = [];
  for (const v of s.volumes ?? []) {
    const readOnly = v.read_only === true;
    switch (v.type) {
      case 'bind': {
        if (v.source === undefined) throw new SpecError(`service "${s.name}": bind mount at ${v.target} has no source`);
        const m: MountSpec = { type: 'bind', source: v.source, target: v.target, readOnly, createHostPath: v.bind?.create_host_path ?? true };
        if (v.bind?.propagation !== undefined) m.propagation = v.bind.propagation;
        if (v.bind?.selinux === 'z' || v.bind?.selinux === 'Z') m.selinux = v.bind.selinux;
        out.push(m);
        break;
      }
      case 'volume': {
        const m: MountSpec = { type: 'volume', target: v.target, readOnly, noCopy: v.volume?.nocopy === true };
        if (v.source !== undefined && v.source !== '') m.source = volumeName(project, v.source);
        else {
          const old = inherited.find((x) => x.type === 'volume' && x.target === v.target);
          if (old?.name !== undefined) m.source = old.name;
        }
        if (v.volume?.subpath !== undefined) m.subpath = v.volume.subpath;
        out.push(m);
        break;
      }
      case 'tmpfs': {
        const m: MountSpec = { type: 'tmpfs', target: v.target, readOnly };
        const size = bytes(s.name, 'tmpfs.size', v.tmpfs?.size);
        if (size !== undefined) m.sizeBytes = size;
        if (v.tmpfs?.mode !== undefined) m.mode = v.tmpfs.mode;
        out.push(m);
        break;
      }
      case 'image':
      case 'npipe':
      case 'cluster':
        throw new SpecError(`service "${s.name}": volumes of type "${v.type}" are not supported`);
    }
  }
  return out;
}

/** Service `tmpfs` entries (`/run` or `/run:size=64m,mode=1777`) → target → options. */
export function tmpfsOptions(s: ServiceConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of s.tmpfs ?? []) {
    const i = entry.indexOf(':');
    if (i < 0) out[entry] = '';
    else out[entry.slice(0, i)] = entry.slice(i + 1);
  }
  return out;
}

function secretTarget(kind: 'secret' | 'config', ref: FileReference): string {
  const t = ref.target;
  if (kind === 'secret') {
    if (t === undefined || t === '') return `/run/secrets/${ref.source}`;
    return t.startsWith('/') ? t : `/run/secrets/${t}`;
  }
  if (t === undefined || t === '') return `/${ref.source}`;
  return t.startsWith('/') ? t : `/${t}`;
}

/**
 * Secrets and configs: `file:` sources become read-only binds, `environment:`/`content:`
 * sources become files copied in before start (compose-spec.md §4.6).
 */
export function secretsAndConfigs(project: Project, s: ServiceConfig): { mounts: MountSpec[]; copies: FileCopy[] } {
  const mounts: MountSpec[] = [];
  const copies: FileCopy[] = [];
  const one = (kind: 'secret' | 'config', ref: FileReference, def: SecretOrConfig | undefined): void => {
    if (def === undefined) throw new SpecError(`service "${s.name}" refers to undefined ${kind} ${ref.source}`);
    if (def.external === true) throw new SpecError(`unsupported external ${kind} ${def.name}`);
    if (def.driver !== undefined) throw new SpecError(`${kind} ${ref.source}: driver is not supported`);
    if (def.template_driver !== undefined) throw new SpecError(`${kind} ${ref.source}: template_driver is not supported`);
    const target = secretTarget(kind, ref);
    if (def.file !== undefined) {
      mounts.push({ type: 'bind', source: def.file, target, readOnly: true, createHostPath: false });
      return;
    }
    let content: string;
    if (def.environment !== undefined) {
      const value = project.environment[def.environment];
      if (value === undefined) throw new SpecError(`environment variable "${def.environment}" required by ${kind} "${ref.source}" is not set`);
      content = value;
    } else if (def.content !== undefined) content = def.content;
    else throw new SpecError(`${kind} ${ref.source} has no file, environment or content`);
    if (s.read_only === true) throw new SpecError(`cannot create ${kind} "${ref.source}" in read-only service ${s.name}: \`file\` is the sole supported option`);
    copies.push({ target, content, uid: Number(ref.uid ?? 0), gid: Number(ref.gid ?? 0), mode: ref.mode ?? 0o444 });
  };
  for (const ref of s.secrets ?? []) one('secret', ref, project.secrets[ref.source]);
  for (const ref of s.configs ?? []) one('config', ref, project.configs[ref.source]);
  return { mounts, copies };
}
