import type { SourceLocation } from '../errors/diagnostic.js';
import type { Lookup } from './types.js';

export interface DotEnvProblem {
  message: string;
  location: SourceLocation;
}

export interface DotEnvResult {
  /** Variables in file order; later lines win. */
  values: Map<string, string>;
  problems: DotEnvProblem[];
}

/**
 * Parses `.env` / `env_file` syntax (compose-spec.md §2.5). `lookup` resolves `${VAR}` in
 * values and bare `VAR` lines; earlier lines of the same file are visible to later ones, but
 * `lookup` wins over them. With `raw`, no quote processing and no interpolation.
 */
export function parseDotEnv(_text: string, _file: string, _lookup: Lookup, _opts: { raw?: boolean } = {}): DotEnvResult {
  throw new Error('not implemented: parseDotEnv');
}
