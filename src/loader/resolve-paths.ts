import type { RawMap } from './raw.js';

/**
 * Makes the relative paths of a whole model absolute against `baseDir` (compose-spec.md
 * §2.15), in place. Works on short and long syntax alike, so it can run before
 * normalization. `~` expands to `home`.
 */
export function resolveModelPaths(_model: RawMap, _baseDir: string, _home: string | undefined): void {
  throw new Error('not implemented: resolveModelPaths');
}

/** The same for one service definition (used for services taken from another file by `extends`). */
export function resolveServicePaths(_service: RawMap, _baseDir: string, _home: string | undefined): void {
  throw new Error('not implemented: resolveServicePaths');
}
