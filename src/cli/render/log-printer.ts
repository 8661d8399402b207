import type { LogLine } from '../../engine/engine.js';
import type { CliIo } from '../io.js';

export interface LogPrinterOptions {
  color: boolean;
  /** `--no-log-prefix`. */
  prefix: boolean;
  /** `--timestamps`: print the line's timestamp after the prefix. */
  timestamps: boolean;
}

export interface LogPrinter {
  /** Prints one line of a container (`name` without the project prefix, e.g. `web-1`). */
  line(container: string, service: string, line: LogLine): void;
  /** Registers a container name so the prefix width accounts for it before its first line. */
  register(container: string, service: string): void;
}

/**
 * Multiplexes container log lines as `web-1  | text`, prefixes padded to the longest name,
 * one colour per service (kleur), honouring NO_COLOR / --no-color.
 */
export function createLogPrinter(_io: CliIo, _opts: LogPrinterOptions): LogPrinter {
  throw new Error('not implemented: createLogPrinter');
}
