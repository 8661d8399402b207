import { basename } from 'node:path';

const VALID = /^[a-z0-9][a-z0-9_-]*$/;

/** `-p` and `COMPOSE_PROJECT_NAME` are validated, not normalized (compose-spec.md §2.8). */
export function validateProjectName(name: string): string | undefined {
  if (VALID.test(name)) return undefined;
  return `invalid project name "${name}": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`;
}

/** `name:` and directory names are normalized: lowercase, only `[a-z0-9_-]`, no leading `_`/`-`. */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

export function projectNameFromDirectory(dir: string): string {
  return normalizeProjectName(basename(dir));
}
