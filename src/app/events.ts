import type { EngineEvent } from '../engine/engine.js';
import { LABEL } from '../model/labels.js';
import type { NamedProjectContext } from './context.js';

export interface ProjectEvent {
  timeNano: bigint;
  type: EngineEvent['type'];
  action: string;
  id: string;
  service: string;
  /** The engine's attributes (name, image, exit code, …) without the labels. */
  attributes: Record<string, string>;
}

/** Labels show up among Docker's event attributes; they are noise next to name and image. */
function withoutLabels(attributes: Record<string, string>, labels: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(attributes).sort()) {
    if (labels.has(key) || key.startsWith('com.docker.compose.')) continue;
    out[key] = attributes[key] ?? '';
  }
  return out;
}

/** `events`: the project's container events until the signal aborts (or `until` passes). */
export async function streamEvents(
  ctx: NamedProjectContext,
  opts: { services: string[]; since?: number; until?: number },
  onEvent: (event: ProjectEvent) => void,
): Promise<void> {
  const userLabels = new Set<string>();
  for (const s of Object.values(ctx.project?.services ?? {})) for (const k of Object.keys(s.labels ?? {})) userLabels.add(k);
  const stream = ctx.engine.events({
    labels: { [LABEL.project]: ctx.projectName },
    ...(opts.since === undefined ? {} : { since: opts.since }),
    ...(opts.until === undefined ? {} : { until: opts.until }),
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  });
  try {
    for await (const e of stream) {
      if (e.type !== 'container') continue;
      const service = e.attributes[LABEL.service] ?? '';
      if (opts.services.length > 0 && !opts.services.includes(service)) continue;
      onEvent({ timeNano: e.timeNano, type: e.type, action: e.action, id: e.id, service, attributes: withoutLabels(e.attributes, userLabels) });
    }
  } catch (err) {
    if (ctx.signal?.aborted === true) return;
    throw err;
  }
}
