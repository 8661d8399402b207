import type { ContainerSummary, Engine, EngineEvent, LogLine, LogOptions } from '../engine/engine.js';
import { isEngineError } from '../engine/engine-error.js';
import { LABEL } from '../model/labels.js';
import type { NamedProjectContext } from './context.js';
import { type ContainerSelection, isOneoff, listProjectContainers, matchesSelection, numberOf, serviceOf, shortName } from './inspect/project-containers.js';
import { LogCursor } from './inspect/log-cursor.js';

export interface LogSource {
  /** Container name without the project prefix, e.g. `web-1` (or the container_name). */
  name: string;
  service: string;
  /** Replica number (0 for one-off containers). */
  number: number;
  containerId: string;
}

export interface StreamLogsOptions {
  services: string[];
  follow: boolean;
  tail?: number;
  since?: number;
  until?: number;
  timestamps: boolean;
  /** Only the replica with this number. */
  index?: number;
  /** Include one-off (`run`) containers. */
  oneoff?: boolean;
  /** With `follow`: a container's stream ended (it stopped) after every line it wrote was delivered. */
  onStreamEnd?: (source: LogSource) => void;
}

/** One followed container: its source, where its log was read up to, and restart wake-ups. */
interface Followed {
  source: LogSource;
  cursor: LogCursor;
  /** A start event arrived that the current stream has not covered. */
  restarted: boolean;
  gone: boolean;
  wake?: () => void;
}

function sourceOf(c: { id: string; name: string; labels: Record<string, string> }, project: string): LogSource {
  return { name: shortName(c.name, project), service: serviceOf(c), number: isOneoff(c) ? 0 : numberOf(c), containerId: c.id };
}

/**
 * Streams the logs of a project's containers to `onLine`. With `follow`, keeps going until
 * `ctx.signal` aborts: containers that are restarted, recreated or appear later are followed too.
 * `onAttach` is told about each container before its first line (for prefix widths).
 */
export async function streamLogs(
  ctx: NamedProjectContext,
  opts: StreamLogsOptions,
  onLine: (source: LogSource, line: LogLine) => void,
  onAttach?: (source: LogSource) => void,
): Promise<void> {
  const sel: ContainerSelection = {
    services: opts.services,
    all: true,
    oneoff: opts.oneoff === true ? 'include' : 'exclude',
    ...(opts.index === undefined ? {} : { index: opts.index }),
  };
  const engine = ctx.engine;
  const signal = ctx.signal;
  const emit = (source: LogSource, line: LogLine): void => {
    if (opts.timestamps || line.timestamp === undefined) onLine(source, line);
    else onLine(source, { stream: line.stream, text: line.text });
  };

  if (!opts.follow) {
    const containers = await listProjectContainers(engine, ctx.projectName, sel);
    const sources = containers.map((c) => sourceOf(c, ctx.projectName));
    for (const s of sources) onAttach?.(s);
    await Promise.all(
      sources.map(async (source) => {
        for await (const line of readLogs(engine, source.containerId, logOptions(opts, false, signal))) emit(source, line);
      }),
    );
    return;
  }

  const followed = new Map<string, Followed>();
  const tasks: Array<Promise<void>> = [];
  const follow = (c: { id: string; name: string; labels: Record<string, string> }, initial: boolean): void => {
    if (followed.has(c.id)) return;
    const f: Followed = { source: sourceOf(c, ctx.projectName), cursor: new LogCursor(), restarted: false, gone: false };
    followed.set(c.id, f);
    onAttach?.(f.source);
    tasks.push(followContainer(engine, f, opts, initial, signal, emit));
  };

  // Watch before listing so a container started in between is not missed; replaying from a
  // second ago duplicates at most a few events, which the cursors make harmless.
  let early: EngineEvent[] | undefined = [];
  const onEvent = async (event: EngineEvent): Promise<void> => {
    const known = followed.get(event.id);
    if (event.action === 'destroy') {
      if (known !== undefined) {
        known.gone = true;
        known.wake?.();
      }
      return;
    }
    if (event.action !== 'start' && event.action !== 'restart') return;
    if (known !== undefined) {
      known.restarted = true;
      known.wake?.();
      return;
    }
    const details = await engine.inspectContainer(event.id).catch((err: unknown) => {
      if (isEngineError(err, 'not-found')) return undefined;
      throw err;
    });
    if (details !== undefined && details.labels[LABEL.project] === ctx.projectName && matchesSelection(details, sel)) follow(details, false);
  };
  const watcher = watchContainers(ctx, Math.floor(Date.now() / 1000) - 1, async (event) => {
    // Events that arrive while the initial list is read wait for it (so `--tail` applies to those containers).
    if (early !== undefined) early.push(event);
    else await onEvent(event);
  });
  // Awaited below; this keeps an early failure from counting as unhandled meanwhile.
  watcher.catch(() => undefined);

  const initial: ContainerSummary[] = await listProjectContainers(engine, ctx.projectName, sel);
  for (const c of initial) follow(c, true);
  const queued = early;
  early = undefined;
  for (const event of queued) await onEvent(event);
  await watcher;
  // The watcher ends when the signal aborts; streams end with it.
  while (tasks.length > 0) await Promise.all(tasks.splice(0));
}

function logOptions(opts: StreamLogsOptions, follow: boolean, signal: AbortSignal | undefined): LogOptions {
  return {
    follow,
    // Timestamps are always read: they let a restarted container resume where it stopped.
    timestamps: true,
    ...(opts.tail === undefined ? {} : { tail: opts.tail }),
    ...(opts.since === undefined ? {} : { since: opts.since }),
    ...(opts.until === undefined ? {} : { until: opts.until }),
    ...(signal === undefined ? {} : { signal }),
  };
}

/** Logs of a container; a container removed meanwhile just has no (more) logs. */
async function* readLogs(engine: Engine, id: string, opts: LogOptions): AsyncGenerator<LogLine> {
  try {
    yield* engine.logs(id, opts);
  } catch (err) {
    if (opts.signal?.aborted === true || isEngineError(err, 'not-found')) return;
    throw err;
  }
}

/** Reads a container's log, and again from where it stopped each time the container starts again. */
async function followContainer(
  engine: Engine,
  f: Followed,
  opts: StreamLogsOptions,
  initial: boolean,
  signal: AbortSignal | undefined,
  emit: (source: LogSource, line: LogLine) => void,
): Promise<void> {
  let first = true;
  while (signal?.aborted !== true && !f.gone) {
    const base = logOptions(opts, true, signal);
    // `tail` applies to the first read of containers that were there at the start only.
    const { tail: _tail, ...rest } = base;
    let read: LogOptions = first && initial ? base : rest;
    const resume = f.cursor.sinceSeconds();
    if (!first && resume !== undefined) read = { ...rest, since: resume };
    first = false;
    f.restarted = false;
    f.cursor.rewind();
    for await (const line of readLogs(engine, f.source.containerId, read)) {
      if (f.cursor.accept(line)) emit(f.source, line);
    }
    // The loop condition narrowed `aborted`, but the stream may have ended because of an abort.
    if (!(signal as { aborted: boolean } | undefined)?.aborted) opts.onStreamEnd?.(f.source);
    await waitForRestart(f, signal);
  }
}

function waitForRestart(f: Followed, signal: AbortSignal | undefined): Promise<void> {
  if (f.restarted || f.gone || signal?.aborted === true) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      delete f.wake;
      signal?.removeEventListener('abort', done);
      resolve();
    };
    f.wake = done;
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Runs `onEvent` for each container event of the project until the signal aborts. */
async function watchContainers(ctx: NamedProjectContext, since: number, onEvent: (event: EngineEvent) => Promise<void>): Promise<void> {
  const events = ctx.engine.events({
    labels: { [LABEL.project]: ctx.projectName },
    since,
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  });
  try {
    for await (const event of events) {
      if (event.type === 'container') await onEvent(event);
    }
  } catch (err) {
    if (ctx.signal?.aborted === true) return;
    throw err;
  }
}
