import { randomBytes } from 'node:crypto';
import type { Project, ServiceConfig } from '../model/project.js';

/** Separator between project, service and number in container names (`_` in v1 compatibility mode). */
export const NAME_SEPARATOR = '-';

/** `<project>-<service>-<n>`, or the service's `container_name`. */
export function containerName(projectName: string, service: ServiceConfig, number: number): string {
  if (service.container_name !== undefined) return service.container_name;
  return [projectName, service.name, String(number)].join(NAME_SEPARATOR);
}

/** A one-off container's slug: 64 hex characters, like docker compose's. */
export function newSlug(): string {
  return randomBytes(32).toString('hex');
}

/** `<project>-<service>-run-<slug[:12]>`. */
export function oneOffName(projectName: string, service: string, slug: string): string {
  return [projectName, service, 'run', slug.slice(0, 12)].join(NAME_SEPARATOR);
}

/** The name a recreated container is created under before the old one is removed. */
export function temporaryName(oldId: string, finalName: string): string {
  return `${oldId.slice(0, 12)}_${finalName}`;
}

/** Engine name of a project volume key (the normalized model already resolved `name:`). */
export function volumeName(project: Project, key: string): string {
  return project.volumes[key]?.name ?? `${project.name}_${key}`;
}

/** Engine name of a project network key. */
export function networkName(project: Project, key: string): string {
  return project.networks[key]?.name ?? `${project.name}_${key}`;
}

/** The image a service runs: its `image`, else `<project>-<service>` for build-only services. */
export function serviceImage(projectName: string, service: ServiceConfig): string {
  return service.image ?? `${projectName}${NAME_SEPARATOR}${service.name}`;
}

/** Container name without the `<project>-` prefix (`web-1`), for log prefixes and plan text. */
export function shortName(projectName: string, name: string): string {
  const prefix = `${projectName}${NAME_SEPARATOR}`;
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}
