import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import kleur from 'kleur';
import type * as Listr2 from 'listr2';
import type { DefaultRenderer, Listr, ListrTaskObject } from 'listr2';
import type { BerthEvent } from '../../events/events.js';
import type { CliIo } from '../io.js';
import { formatElapsed, formatPercent, kindLabel, statusPhase, warningLine, type StatusPhase } from './progress-format.js';

let listr2: typeof Listr2 | undefined;

/** listr2 is loaded when a terminal shows progress rows, so other runs never pay for it. */
function lib(): typeof Listr2 {
  return (listr2 ??= createRequire(import.meta.url)('listr2') as typeof Listr2);
}

interface Row {
  task: ListrTaskObject<unknown>;
  startedAt: number;
}

type RowTask = ListrTaskObject<unknown>;

/** A write stream that feeds `io.writeErr`, with the terminal width listr2 and log-update ask for. */
function stderrStream(io: CliIo, columns: number): NodeJS.WriteStream {
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      io.writeErr(chunk.toString());
      cb();
    },
  });
  return Object.assign(stream, { columns, rows: Infinity, isTTY: true }) as unknown as NodeJS.WriteStream;
}

/**
 * listr2 rows that appear as events arrive. Rows are driven by setting task states directly
 * (no task functions), so `done()` can finish the final redraw synchronously.
 */
export class TtyProgress {
  private readonly listr: Listr<unknown>;
  private readonly renderer: DefaultRenderer;
  private readonly rows = new Map<string, Row>();
  private readonly stream: NodeJS.WriteStream;
  private readonly color: boolean;
  private state: 'idle' | 'starting' | 'rendering' | 'ended' = 'idle';
  private endWhenReady = false;
  private readonly pendingNotes: string[] = [];
  private resolveFinished: () => void = () => undefined;
  /** Resolves once the final frame is written (done() defers it when the first frame is not up yet). */
  readonly finished = new Promise<void>((resolve) => {
    this.resolveFinished = resolve;
  });

  constructor(
    io: CliIo,
    opts: { color: boolean; columns: number },
    private readonly now: () => number = Date.now,
  ) {
    this.color = opts.color;
    this.stream = stderrStream(io, opts.columns);
    const { DefaultRenderer: Renderer, Listr: ListrClass, ListrLogger, ProcessOutput } = lib();
    this.listr = new ListrClass<unknown>([], { concurrent: true, exitOnError: false, registerSignalListeners: false });
    const logger = new ListrLogger({ useIcons: true, toStderr: [], processOutput: new ProcessOutput(this.stream, this.stream, { leaveEmptyLine: false }) });
    this.renderer = new Renderer(this.listr.tasks as never, { logger, formatOutput: 'truncate', collapseErrors: true }, this.listr.events);
  }

  handle(event: BerthEvent): void {
    if (this.state === 'ended') {
      if (event.type === 'warning') this.stream.write(`${warningLine(event.message, this.color)}\n`);
      return;
    }
    switch (event.type) {
      case 'resource': {
        const phase = statusPhase(event.status);
        const detail = event.detail !== undefined && event.detail !== '' ? `  ${event.detail}` : '';
        const row = this.row(`${event.kind}:${event.name}`);
        // Timings measure the current step: from the last time the row went to work.
        if (phase === 'working' && row.task.state !== lib().ListrTaskState.STARTED) row.startedAt = this.now();
        const elapsed = phase === 'working' ? '' : `  ${formatElapsed(event.elapsedMs ?? this.now() - row.startedAt)}`;
        kleur.enabled = this.color;
        const text = `${kindLabel(event.kind)} ${event.name}  ${event.status}${detail}`;
        this.update(row.task, phase === 'failed' ? kleur.red(text) : `${text}${kleur.dim(elapsed)}`, phase);
        return;
      }
      case 'progress': {
        const row = this.row(`image:${event.name}`);
        const pct = formatPercent(event.current, event.total);
        this.update(row.task, `Image ${event.name}  ${event.detail}${pct === undefined ? '' : `  ${pct}`}`, 'working');
        return;
      }
      case 'warning':
        this.note(warningLine(event.message, this.color));
        return;
      case 'info':
        this.note(event.message);
        return;
    }
  }

  /** Completes every row still in progress and draws the final frame. */
  done(): void {
    if (this.state === 'ended') return;
    for (const row of this.rows.values()) {
      if (row.task.state === lib().ListrTaskState.STARTED) row.task.state$ = lib().ListrTaskState.COMPLETED;
    }
    if (this.state === 'starting') {
      this.endWhenReady = true;
      return;
    }
    this.finish();
  }

  private finish(): void {
    const wasRendering = this.state === 'rendering';
    this.state = 'ended';
    if (wasRendering) this.renderer.end();
    // Notes written while rendering were buffered by listr2 and dumped by end(); the rest go now.
    for (const note of this.pendingNotes) this.stream.write(`${note}\n`);
    this.pendingNotes.length = 0;
    this.resolveFinished();
  }

  private note(text: string): void {
    // While listr2 owns the terminal its hijacked stream buffers writes and prints them after the rows.
    if (this.state === 'rendering') this.stream.write(`${text}\n`);
    else this.pendingNotes.push(text);
  }

  private row(key: string): Row {
    const existing = this.rows.get(key);
    if (existing !== undefined) return existing;
    this.listr.add({ title: key, task: () => undefined });
    const task = this.listr.tasks[this.listr.tasks.length - 1] as RowTask | undefined;
    if (task === undefined) throw new Error('listr2 did not add the row');
    // listr2 enables tasks in an async check() that run() would await; rows are never run, and
    // a row added in the same tick as done() must still be drawn, so enable it at once.
    Object.assign(task, { enabled: true });
    const row: Row = { task, startedAt: this.now() };
    this.rows.set(key, row);
    this.start();
    return row;
  }

  private update(task: RowTask, title: string, phase: StatusPhase): void {
    task.title$ = title;
    const state = phase === 'working' ? lib().ListrTaskState.STARTED : phase === 'failed' ? lib().ListrTaskState.FAILED : lib().ListrTaskState.COMPLETED;
    if (task.state !== state) task.state$ = state;
  }

  private start(): void {
    if (this.state !== 'idle') return;
    this.state = 'starting';
    this.renderer.render().then(
      () => {
        if (this.state === 'ended') return;
        this.state = 'rendering';
        for (const note of this.pendingNotes) this.stream.write(`${note}\n`);
        this.pendingNotes.length = 0;
        if (this.endWhenReady) this.finish();
      },
      () => {
        // The terminal renderer could not start: rows are lost, notes still get out.
        this.state = 'idle';
        this.finish();
      },
    );
  }
}
