import type { EngineCapabilities, EngineInfo } from '../engine/engine.js';
import type { Project, ServiceConfig } from '../model/project.js';
import type { Plan } from './plan-types.js';
import { PlanError } from './plan-types.js';

type Need = Exclude<keyof EngineCapabilities, 'pause' | 'exec' | 'events'>;

/** What the engine is told it cannot do, phrased after `the <engine> engine `. */
const CANNOT: Record<Need, string> = {
  build: 'cannot build images',
  healthcheck: 'cannot run healthchecks',
  hostNetwork: 'does not support network_mode: host',
  publishPorts: 'cannot publish ports',
  copy: 'cannot copy files into containers (secrets and configs from content or environment)',
};

function containerNeeds(project: Project, s: ServiceConfig): Need[] {
  const needs: Need[] = [];
  if (s.healthcheck !== undefined && s.healthcheck.disable !== true && s.healthcheck.test?.[0] !== 'NONE') needs.push('healthcheck');
  if (s.network_mode === 'host') needs.push('hostNetwork');
  if ((s.ports ?? []).length > 0) needs.push('publishPorts');
  const copied = [...(s.secrets ?? []).map((r) => project.secrets[r.source]), ...(s.configs ?? []).map((r) => project.configs[r.source])];
  if (copied.some((d) => d !== undefined && d.file === undefined && d.external !== true)) needs.push('copy');
  return needs;
}

/** The capabilities the plan's operations rely on, each with the first service (by name) that needs it. */
export function requiredCapabilities(plan: Plan, project: Project): Map<Need, string> {
  const uses: Array<[Need, string]> = [];
  for (const op of plan.operations) {
    if (op.kind === 'image' && op.action === 'build') {
      for (const service of op.services) uses.push(['build', service]);
    } else if (op.kind === 'container' && (op.action === 'create' || op.action === 'recreate')) {
      const s = project.services[op.service];
      if (s !== undefined) for (const need of containerNeeds(project, s)) uses.push([need, op.service]);
    }
  }
  uses.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const out = new Map<Need, string>();
  for (const [need, service] of uses) if (!out.has(need)) out.set(need, service);
  return out;
}

/** Refuses, with one message per missing capability, a plan the engine cannot carry out. */
export function assertCapabilities(required: ReadonlyMap<Need, string>, info: EngineInfo): void {
  const missing = [...required].filter(([need]) => !info.capabilities[need]);
  if (missing.length === 0) return;
  throw new PlanError(missing.map(([need, service]) => `the ${info.name} engine ${CANNOT[need]} (service "${service}")`).join('\n'));
}
