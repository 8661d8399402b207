import type { Engine } from '../engine/engine.js';
import type { LoadOptions } from '../loader/types.js';
import type { Project } from '../model/project.js';
import type { GlobalOptions } from './global-options.js';
import type { CliIo } from './io.js';

/** What every command handler gets: the process I/O and the parsed global options. */
export interface CommandContext {
  readonly io: CliIo;
  globals(): GlobalOptions;
  loadOptions(): LoadOptions;
  color(isTTY: boolean): boolean;
  setExitCode(code: number): void;
  /**
   * Loads the project (services named on the command line enable their profiles). Prints
   * warnings; on errors prints them and throws `ReportedError` (exit code 1).
   */
  loadProject(services?: string[]): Promise<Project>;
  /**
   * The project name when no compose file is needed (`down`, `ps`, `logs` work from labels):
   * `-p`, `COMPOSE_PROJECT_NAME`, else the loaded project's name.
   */
  projectName(): Promise<{ name: string; project?: Project }>;
  /** The engine for this invocation (connected once, closed by the CLI at exit). */
  engine(): Promise<Engine>;
  /** An AbortSignal aborted on the first SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}
