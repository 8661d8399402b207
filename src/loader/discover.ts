import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { DiagnosticBag } from '../errors/diagnostic.js';

/** Preference order of compose file names in a directory (compose-spec.md §2.7). */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;
export const OVERRIDE_FILE_NAMES = [
  'compose.override.yml',
  'compose.override.yaml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
] as const;

export const STDIN = '-';

export interface DiscoveryInput {
  cwd: string;
  /** `-f` files, in order. */
  files: readonly string[] | undefined;
  /** `--project-directory`, where discovery starts when given. */
  projectDirectory: string | undefined;
  /** `COMPOSE_FILE` (from the OS env or `.env`). */
  composeFile: string | undefined;
  /** `COMPOSE_PATH_SEPARATOR` (default `:`). */
  pathSeparator: string | undefined;
}

export interface DiscoveryResult {
  /** Absolute file paths in merge order (`-` for stdin). */
  files: string[];
  /** True when the files were found by searching directories (override files included). */
  discovered: boolean;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Finds the compose files to load: `-f`, then `COMPOSE_FILE`, then a directory search. */
export function discoverComposeFiles(input: DiscoveryInput, diags: DiagnosticBag): DiscoveryResult {
  const abs = (p: string): string => (p === STDIN ? STDIN : isAbsolute(p) ? p : resolve(input.cwd, p));
  if (input.files !== undefined && input.files.length > 0) {
    const files = input.files.map(abs);
    for (const f of files) {
      if (f !== STDIN && !isFile(f)) diags.error('discovery', `open ${f}: no such file or directory`);
    }
    return { files, discovered: false };
  }
  if (input.composeFile !== undefined && input.composeFile !== '') {
    const sep = input.pathSeparator !== undefined && input.pathSeparator !== '' ? input.pathSeparator : ':';
    const files = input.composeFile.split(sep).filter((s) => s !== '').map(abs);
    for (const f of files) {
      if (!isFile(f)) diags.error('discovery', `COMPOSE_FILE names ${f}, which does not exist`);
    }
    return { files, discovered: false };
  }
  const start = input.projectDirectory !== undefined ? abs(input.projectDirectory) : input.cwd;
  let dir = start;
  for (;;) {
    const found = COMPOSE_FILE_NAMES.map((n) => join(dir, n)).filter(isFile);
    if (found.length > 0) {
      const main = found[0]!;
      if (found.length > 1) {
        diags.warn('discovery', `Found multiple config files with supported names: ${found.join(', ')}\nUsing ${main}`);
      }
      const override = OVERRIDE_FILE_NAMES.map((n) => join(dir, n)).find(isFile);
      return { files: override !== undefined ? [main, override] : [main], discovered: true };
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  diags.error(
    'discovery',
    `no configuration file provided: not found (looked for ${COMPOSE_FILE_NAMES.join(', ')} in ${start} and its parent directories)`,
  );
  return { files: [], discovered: true };
}

/** Whether a path exists (any kind). */
export function pathExists(p: string): boolean {
  return existsSync(p);
}
