import type { ContainerDetails, ContainerSummary, Engine, EngineEvent, EventOptions, LogLine, LogOptions } from '../../engine/engine.js';
import { EngineError } from '../../engine/engine-error.js';
import { LABEL } from '../../model/labels.js';

interface FakeContainer {
  summary: ContainerSummary;
  lines: Array<{ line: LogLine; ms: number }>;
  running: boolean;
}

/** A scripted engine for log-following tests: containers with logs that grow, and events. */
export class FakeLogEngine {
  readonly containers = new Map<string, FakeContainer>();
  readonly logCalls: Array<{ id: string; opts: LogOptions }> = [];
  private readonly listeners = new Set<() => void>();
  private readonly eventQueue: EngineEvent[] = [];
  /** Milliseconds; each line gets its own millisecond unless written at the same instant. */
  private clock = Date.parse('2024-01-02T03:04:05Z');

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  private changed(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.listeners.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.listeners.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  add(id: string, project: string, service: string, number: number, running = true): void {
    const name = `${project}-${service}-${number}`;
    const labels = { [LABEL.project]: project, [LABEL.service]: service, [LABEL.containerNumber]: String(number), [LABEL.oneoff]: 'False' };
    const summary: ContainerSummary = { id, name, image: 'img', imageId: 'sha256:1', command: '', labels, state: running ? 'running' : 'exited', status: '', created: 0, ports: [], networks: [] };
    this.containers.set(id, { summary, lines: [], running });
    if (running) this.event(id, 'start');
  }

  /** Appends a line with the next timestamp (two lines may share one with `sameInstant`). */
  write(id: string, text: string, sameInstant = false): void {
    if (!sameInstant) this.clock += 1;
    const timestamp = `${new Date(this.clock).toISOString().slice(0, 23)}000042Z`;
    this.get(id).lines.push({ line: { stream: 'stdout', text, timestamp }, ms: this.clock });
    this.notify();
  }

  stop(id: string): void {
    this.get(id).running = false;
    this.event(id, 'die');
  }

  start(id: string): void {
    this.get(id).running = true;
    this.event(id, 'start');
  }

  event(id: string, action: string): void {
    this.eventQueue.push({ type: 'container', action, id, attributes: {}, timeNano: 0n });
    this.notify();
  }

  private get(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (c === undefined) throw new EngineError('not-found', 'inspect container', id, `no such container: ${id}`);
    return c;
  }

  asEngine(): Engine {
    const self = { get: (id: string) => this.get(id), changed: (s: AbortSignal | undefined) => this.changed(s), containers: this.containers, logCalls: this.logCalls, eventQueue: this.eventQueue };
    const partial: Partial<Engine> = {
      listContainers: (opts) =>
        Promise.resolve(
          [...self.containers.values()]
            .filter((c) => opts.all || c.running)
            .filter((c) => Object.entries(opts.labels).every(([k, v]) => (v === undefined ? k in c.summary.labels : c.summary.labels[k] === v)))
            .map((c) => c.summary),
        ),
      inspectContainer: (ref) => Promise.resolve({ ...self.get(ref).summary } as ContainerDetails),
      logs: async function* (ref: string, opts: LogOptions): AsyncGenerator<LogLine> {
        self.logCalls.push({ id: ref, opts });
        const c = self.get(ref);
        let i = 0;
        if (opts.since !== undefined) {
          // Like Docker: whole-millisecond precision is enough to show the repeat-at-resume case.
          const sinceMs = Math.floor(opts.since * 1000);
          while (i < c.lines.length && (c.lines[i]?.ms ?? 0) < sinceMs) i++;
        } else if (opts.tail !== undefined) i = Math.max(0, c.lines.length - opts.tail);
        for (;;) {
          while (i < c.lines.length) {
            const entry = c.lines[i++];
            if (entry !== undefined) yield entry.line;
          }
          if (!opts.follow || !c.running || opts.signal?.aborted === true) return;
          await self.changed(opts.signal);
        }
      },
      events: async function* (opts: EventOptions): AsyncGenerator<EngineEvent> {
        let i = 0;
        for (;;) {
          while (i < self.eventQueue.length) {
            const e = self.eventQueue[i++];
            if (e !== undefined) yield e;
          }
          if (opts.signal?.aborted === true) return;
          await self.changed(opts.signal);
        }
      },
    };
    return partial as Engine;
  }
}
