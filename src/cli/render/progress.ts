import type { EventSink } from '../../events/events.js';
import type { GlobalOptions } from '../global-options.js';
import type { CliIo } from '../io.js';

export interface ProgressRenderer {
  /** Give this to use cases. */
  sink: EventSink;
  /** Stops rendering (final redraw on a TTY). Safe to call twice. */
  done(): void;
}

/**
 * Renders use-case events: listr2 rows with states and timings on a TTY, plain lines
 * (`Container web-1  Started`) when not on a TTY or with `--progress plain`, one JSON object
 * per line with `--progress json`, nothing with `--progress quiet`. Progress goes to stderr.
 */
export function createProgressRenderer(_globals: GlobalOptions, _io: CliIo): ProgressRenderer {
  throw new Error('not implemented: createProgressRenderer');
}
