import type { ContainerSummary, Engine } from '../../engine/engine.js';
import { LABEL, ONEOFF_FALSE, ONEOFF_TRUE } from '../../model/labels.js';

export interface ContainerSelection {
  /** Only these services (all when empty). */
  services?: readonly string[];
  /** Include stopped containers. */
  all: boolean;
  /** `exclude` (default): service containers only; `include`: both; `only`: one-offs only. */
  oneoff?: 'exclude' | 'include' | 'only';
  /** Only the replica with this container number. */
  index?: number;
}

export function serviceOf(c: { labels: Record<string, string> }): string {
  return c.labels[LABEL.service] ?? '';
}

/** The replica number (0 for one-off containers and containers without the label). */
export function numberOf(c: { labels: Record<string, string> }): number {
  const n = Number(c.labels[LABEL.containerNumber] ?? '0');
  return Number.isInteger(n) ? n : 0;
}

export function isOneoff(c: { labels: Record<string, string> }): boolean {
  return c.labels[LABEL.oneoff] === ONEOFF_TRUE;
}

/** `web-1` for `proj-web-1` (or `proj_web_1`); a `container_name` stays as it is. */
export function shortName(containerName: string, project: string): string {
  for (const sep of ['-', '_']) {
    if (containerName.startsWith(`${project}${sep}`)) return containerName.slice(project.length + 1);
  }
  return containerName;
}

/** Service name, then replica number, then name: the order every listing uses. */
export function compareContainers(a: ContainerSummary, b: ContainerSummary): number {
  return serviceOf(a).localeCompare(serviceOf(b)) || numberOf(a) - numberOf(b) || a.name.localeCompare(b.name);
}

/** Whether a container (by its labels) passes the selection's service/one-off/index filters. */
export function matchesSelection(c: { labels: Record<string, string> }, sel: ContainerSelection): boolean {
  const oneoff = isOneoff(c);
  const mode = sel.oneoff ?? 'exclude';
  if (mode === 'exclude' && oneoff) return false;
  if (mode === 'only' && !oneoff) return false;
  if (sel.services !== undefined && sel.services.length > 0 && !sel.services.includes(serviceOf(c))) return false;
  if (sel.index !== undefined && numberOf(c) !== sel.index) return false;
  return true;
}

/** The project's containers by label, sorted by service and replica number. */
export async function listProjectContainers(engine: Engine, project: string, sel: ContainerSelection): Promise<ContainerSummary[]> {
  const labels: Record<string, string | undefined> = { [LABEL.project]: project };
  if ((sel.oneoff ?? 'exclude') === 'exclude') labels[LABEL.oneoff] = ONEOFF_FALSE;
  if (sel.services !== undefined && sel.services.length === 1) labels[LABEL.service] = sel.services[0];
  const list = await engine.listContainers({ all: sel.all, labels });
  return list.filter((c) => matchesSelection(c, sel)).sort(compareContainers);
}
