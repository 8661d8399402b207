import type { LoadOptions } from '../loader/types.js';
import type { GlobalOptions } from './global-options.js';
import type { CliIo } from './io.js';

/** What every command handler gets: the process I/O and the parsed global options. */
export interface CommandContext {
  readonly io: CliIo;
  globals(): GlobalOptions;
  loadOptions(): LoadOptions;
  color(isTTY: boolean): boolean;
  setExitCode(code: number): void;
}
