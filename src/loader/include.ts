import type { DiagnosticBag } from '../errors/diagnostic.js';
import type { RawMap } from './raw.js';

export interface IncludeRequest {
  /** Absolute paths of the included files (main file then overrides). */
  files: string[];
  /** Absolute project directory of the included project. */
  projectDirectory: string;
  /** Absolute env files of the include (`/dev/null` to skip). */
  envFiles: string[];
  /** Include chain so far, for cycle detection. */
  chain: string[];
}

export interface IncludeContext {
  readonly diags: DiagnosticBag;
  readonly file: string;
  /** Directory relative include paths are resolved against. */
  readonly baseDir: string;
  readonly home: string | undefined;
  readonly chain: string[];
  /** Loads an included project as a merged raw model with paths already absolute. */
  loadProject(req: IncludeRequest): Promise<RawMap | undefined>;
}

/**
 * Processes `doc.include` (compose-spec.md §2.12): loads each included project and copies its
 * resources into `doc`, then removes the `include` key. In place.
 */
export async function resolveIncludes(_doc: RawMap, _ctx: IncludeContext): Promise<void> {
  await Promise.resolve();
  throw new Error('not implemented: resolveIncludes');
}
