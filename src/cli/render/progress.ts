import type { EventSink } from '../../events/events.js';
import type { GlobalOptions } from '../global-options.js';
import { useColor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { createPlainFormatter, jsonLine } from './progress-format.js';
import { TtyProgress } from './progress-tty.js';

export interface ProgressRenderer {
  /** Give this to use cases. */
  sink: EventSink;
  /** Stops rendering (final redraw on a TTY). Safe to call twice. */
  done(): void;
}

export type ProgressMode = 'tty' | 'plain' | 'json' | 'quiet';

/** `auto` means rows on a terminal that takes escape codes, plain lines elsewhere. */
export function progressMode(globals: GlobalOptions, stderrIsTTY: boolean): ProgressMode {
  switch (globals.progress) {
    case 'auto':
      return stderrIsTTY && globals.ansi !== 'never' ? 'tty' : 'plain';
    case 'tty':
    case 'plain':
    case 'json':
    case 'quiet':
      return globals.progress;
  }
}

/**
 * Renders use-case events: listr2 rows with states and timings on a TTY, plain lines
 * (`Container web-1  Started`) when not on a TTY or with `--progress plain`, one JSON object
 * per line with `--progress json`, nothing with `--progress quiet`. Progress goes to stderr.
 */
export function createProgressRenderer(globals: GlobalOptions, io: CliIo, columns?: number): ProgressRenderer {
  const mode = progressMode(globals, io.stderrIsTTY);
  const color = useColor(globals, io.stderrIsTTY) || mode === 'tty';
  switch (mode) {
    case 'quiet':
      return { sink: () => undefined, done: () => undefined };
    case 'json':
      return { sink: (event) => io.writeErr(`${jsonLine(event)}\n`), done: () => undefined };
    case 'plain': {
      const format = createPlainFormatter(color);
      let ended = false;
      return {
        sink: (event) => {
          if (ended && event.type !== 'warning') return;
          const line = format(event);
          if (line !== undefined) io.writeErr(`${line}\n`);
        },
        done: () => {
          ended = true;
        },
      };
    }
    case 'tty': {
      const tty = new TtyProgress(io, { color, columns: columns ?? (process.stderr.columns || 80) });
      return { sink: (event) => tty.handle(event), done: () => tty.done() };
    }
  }
}
