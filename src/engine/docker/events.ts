import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { EngineEvent, EventOptions } from '../engine.js';
import { call, isAborted, toEngineError } from './errors.js';
import { jsonObjects } from './json-stream.js';
import { labelFilter } from './label-filters.js';

const TYPES = new Set(['container', 'network', 'volume', 'image']);

function toEvent(o: Record<string, unknown>): EngineEvent | undefined {
  const type = typeof o.Type === 'string' ? o.Type : '';
  if (!TYPES.has(type)) return undefined;
  const actor = typeof o.Actor === 'object' && o.Actor !== null ? (o.Actor as { ID?: unknown; Attributes?: unknown }) : {};
  const attributes: Record<string, string> = {};
  if (typeof actor.Attributes === 'object' && actor.Attributes !== null) {
    for (const [k, v] of Object.entries(actor.Attributes)) if (typeof v === 'string') attributes[k] = v;
  }
  const timeNano = typeof o.timeNano === 'number'
    ? BigInt(Math.trunc(o.timeNano))
    : BigInt(typeof o.time === 'number' ? o.time : 0) * 1_000_000_000n;
  return {
    type: type as EngineEvent['type'],
    action: typeof o.Action === 'string' ? o.Action : typeof o.status === 'string' ? o.status : '',
    id: typeof actor.ID === 'string' ? actor.ID : typeof o.id === 'string' ? o.id : '',
    attributes,
    timeNano,
  };
}

export async function* engineEvents(docker: Docker, opts: EventOptions): AsyncGenerator<EngineEvent> {
  const signal = opts.signal;
  if (isAborted(signal)) return;
  const label = labelFilter(opts.labels);
  const query = {
    ...(label.length === 0 ? {} : { filters: { label } }),
    ...(opts.since === undefined ? {} : { since: opts.since }),
    ...(opts.until === undefined ? {} : { until: opts.until }),
    ...(signal === undefined ? {} : { abortSignal: signal }),
  };
  let stream: Readable;
  try {
    stream = await call('read events', '', () => docker.getEvents(query as Docker.GetEventsOptions) as Promise<Readable>);
  } catch (err) {
    if (isAborted(signal)) return;
    throw err;
  }
  const onAbort = (): void => void stream.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const o of jsonObjects(stream as AsyncIterable<Buffer>)) {
      if (isAborted(signal)) return;
      const event = toEvent(o);
      if (event !== undefined) yield event;
    }
  } catch (err) {
    if (isAborted(signal)) return;
    throw toEngineError(err, 'read events', '');
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stream.destroy();
  }
}
