import type { DiagnosticBag } from '../errors/diagnostic.js';
import type { RawMap } from './raw.js';

export interface ExtendsContext {
  readonly diags: DiagnosticBag;
  /** Absolute path of the file `doc` came from (`-` for stdin). */
  readonly file: string;
  /** Directory that relative `extends.file` paths of `doc` are resolved against. */
  readonly baseDir: string;
  /** Loads (parses and interpolates) another compose file; undefined if it could not be read. */
  loadFile(path: string): RawMap | undefined;
  /**
   * Makes the relative paths of a service definition taken from a file in `fromDir`
   * absolute (a no-op when path resolution is off). In place.
   */
  rebaseService(service: RawMap, fromDir: string): void;
}

/** Resolves every `extends` in `doc.services` in place (compose-spec.md §2.11). */
export function resolveExtends(_doc: RawMap, _ctx: ExtendsContext): void {
  throw new Error('not implemented: resolveExtends');
}
