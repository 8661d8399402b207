import { loadProject, type LoadResult } from '../loader/load-project.js';
import { validateProjectName } from '../loader/project-name.js';
import type { LoadOptions } from '../loader/types.js';

/** Loads the compose project for a command (the loader's whole pipeline). */
export function openProject(opts: LoadOptions): Promise<LoadResult> {
  return loadProject(opts);
}

/** `undefined` when `name` is a valid project name given with `-p`, else the problem. */
export function checkProjectName(name: string): string | undefined {
  return validateProjectName(name);
}
