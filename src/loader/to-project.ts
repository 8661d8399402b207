import type { Mapping, ModelConfig, NetworkConfig, Project, SecretOrConfig, ServiceConfig, VolumeConfig } from '../model/project.js';
import type { RawMap, RawValue } from './raw.js';
import { isRawMap } from './raw.js';

export interface ProjectMeta {
  name: string;
  workingDir: string;
  configFiles: string[];
  envFiles: string[];
  disabled: RawMap;
  profiles: string[];
  environment: Mapping;
}

function section<T>(value: RawValue | undefined, build: (key: string, v: RawMap) => T): Record<string, T> {
  const out: Record<string, T> = {};
  if (!isRawMap(value)) return out;
  for (const key of Object.keys(value).sort()) {
    const v = value[key];
    out[key] = build(key, isRawMap(v) ? v : {});
  }
  return out;
}

function service(name: string, raw: RawMap): ServiceConfig {
  return { ...(raw as Record<string, unknown>), name } as ServiceConfig;
}

/**
 * Binds the canonical raw model to the typed `Project`. The raw model was validated and
 * normalized, so this is a shape-preserving conversion.
 */
export function buildProject(model: RawMap, meta: ProjectMeta): Project {
  const extensions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(model)) if (k.startsWith('x-')) extensions[k] = v;
  return {
    name: meta.name,
    workingDir: meta.workingDir,
    configFiles: meta.configFiles,
    envFiles: meta.envFiles,
    services: section(model.services, service),
    disabledServices: section(meta.disabled, service),
    networks: section(model.networks, (_k, v) => ({ ...v }) as NetworkConfig),
    volumes: section(model.volumes, (_k, v) => ({ ...v }) as VolumeConfig),
    secrets: section(model.secrets, (_k, v) => ({ ...v }) as SecretOrConfig),
    configs: section(model.configs, (_k, v) => ({ ...v }) as SecretOrConfig),
    models: section(model.models, (_k, v) => v as unknown as ModelConfig),
    profiles: meta.profiles,
    environment: meta.environment,
    extensions,
  };
}
