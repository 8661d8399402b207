import type { DiagnosticBag } from '../errors/diagnostic.js';
import { parseDotEnv } from './dotenv.js';
import { warnUnsetOnce } from './interpolate.js';
import type { Lookup } from './types.js';

/** One env file already read by the caller. */
export interface EnvFileInput {
  /** Absolute path, used in diagnostics. */
  readonly path: string;
  readonly content: string;
  /** docker CLI `--env-file` rules (`format: raw`). */
  readonly raw?: boolean;
}

type OsEnv = Readonly<Record<string, string | undefined>>;

const CODE = 'env-file';

function lookupIn(env: OsEnv): Lookup {
  return (name) => (Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined);
}

function sortedRecord(entries: Iterable<readonly [string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = v;
  return out;
}

/**
 * Reads env files in order (compose-spec.md §2.4) and returns only the variables they
 * contribute. Later files override earlier ones; inside a file, `${VAR}` resolves from the OS
 * environment first, then the file's earlier lines, then earlier files. The caller layers the
 * OS environment on top with `combineEnv`.
 */
export function readEnvFiles(files: readonly EnvFileInput[], osEnv: OsEnv, diags: DiagnosticBag): Record<string, string> {
  const acc = new Map<string, string>();
  const os = lookupIn(osEnv);
  for (const file of files) {
    const result = parseDotEnv(file.content, file.path, os, {
      ...(file.raw === true ? { raw: true } : {}),
      fallback: (name) => acc.get(name),
    });
    for (const p of result.problems) diags.error(CODE, p.message, p.location);
    for (const w of result.warnings) warnUnsetOnce(diags, w.variable, w.location);
    for (const [k, v] of result.values) acc.set(k, v);
  }
  return sortedRecord(acc);
}

/** The interpolation environment: env-file variables under the OS environment (OS wins). */
export function combineEnv(osEnv: OsEnv, fileVars: Readonly<Record<string, string>>): Record<string, string> {
  const merged = new Map<string, string>(Object.entries(fileVars));
  for (const [k, v] of Object.entries(osEnv)) if (v !== undefined) merged.set(k, v);
  return sortedRecord(merged);
}
