import type { DiagnosticBag } from '../errors/diagnostic.js';
import type { Mapping } from '../model/project.js';

/** Everything the loader needs from its caller. The loader reads no process-global state. */
export interface LoadOptions {
  /** Current working directory (absolute). */
  cwd: string;
  /** `-f` files in order; `-` is standard input. Empty: `COMPOSE_FILE`, then discovery. */
  files?: string[];
  projectDirectory?: string;
  /** `-p`: validated, not normalized. */
  projectName?: string;
  /** `--env-file`, relative to `cwd`. Replaces the default `.env`. */
  envFiles?: string[];
  /** `--profile`; when absent, `COMPOSE_PROFILES`. */
  profiles?: string[];
  /** Services named on the command line: enabled along with their profiles. */
  services?: string[];
  /** The OS environment. */
  env: Readonly<Record<string, string | undefined>>;
  /** Reads standard input (for `-f -`). */
  readStdin?: () => Promise<string>;
  /** Home directory for `~` expansion (defaults to `env.HOME`). */
  home?: string;
  interpolate?: boolean;
  normalize?: boolean;
  resolvePaths?: boolean;
  consistency?: boolean;
  /** Resolve `environment` bare keys and load `env_file`s into `environment`. */
  resolveEnvironment?: boolean;
  /** Also list the variables the compose files refer to (`config --variables`). */
  collectVariables?: boolean;
}

/** One compose file to load. */
export interface ConfigFile {
  /** Absolute path, or `-` for standard input. */
  path: string;
  content: string;
}

/** A lookup of interpolation variables; `undefined` when not set. */
export type Lookup = (name: string) => string | undefined;

export function lookupFrom(env: Readonly<Mapping>): Lookup {
  return (name) => (Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined);
}

/** Shared state for the stages of one load. */
export interface StageContext {
  readonly diags: DiagnosticBag;
  /** Absolute project directory. */
  readonly projectDir: string;
  readonly home: string | undefined;
}
