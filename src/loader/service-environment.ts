import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { DiagnosticBag, ModelPath, SourceLocation } from '../errors/diagnostic.js';
import type { RawMap, RawValue } from './raw.js';
import { copyEntryMeta, copySelfMeta, entryLocation, isRawMap, setEntryLocation, setSelfLocation } from './raw.js';
import type { Lookup } from './types.js';
import { parseDotEnv } from './dotenv.js';

interface FileValues {
  values: Map<string, string>;
  from: Map<string, SourceLocation>;
}

interface FileSpec {
  path: string;
  required: boolean;
  raw: boolean;
  index: number;
}

function fileSpecs(list: RawValue | undefined): FileSpec[] {
  if (typeof list === 'string') return [{ path: list, required: true, raw: false, index: 0 }];
  if (!Array.isArray(list)) return [];
  const out: FileSpec[] = [];
  list.forEach((e, index) => {
    if (typeof e === 'string') out.push({ path: e, required: true, raw: false, index });
    else if (isRawMap(e) && typeof e.path === 'string') {
      out.push({ path: e.path, required: e.required !== false, raw: e.format === 'raw', index });
    }
  });
  return out;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof Error && 'code' in err && (err.code === 'ENOENT' || err.code === 'ENOTDIR')) return undefined;
    throw err;
  }
}

/**
 * Reads the files of `env_file` / `label_file` in order (later files win). Each file sees the
 * `lookup` first, then the variables of the files before it.
 */
function loadFiles(
  svc: RawMap,
  key: 'env_file' | 'label_file',
  lookup: Lookup,
  diags: DiagnosticBag,
  path: ModelPath,
  baseDir: string | undefined,
): FileValues {
  const list = svc[key];
  const values = new Map<string, string>();
  const from = new Map<string, SourceLocation>();
  for (const spec of fileSpecs(list)) {
    const at = typeof list === 'object' && list !== null ? list : svc;
    const text = readText(baseDir !== undefined ? resolvePath(baseDir, spec.path) : spec.path);
    if (text === undefined) {
      if (spec.required) {
        const what = key === 'env_file' ? 'env file' : 'label file';
        diags.error(key, `${what} ${spec.path} not found`, entryLocation(at, Array.isArray(list) ? spec.index : key), [
          ...path,
          key,
          ...(Array.isArray(list) ? [spec.index] : []),
        ]);
      }
      continue;
    }
    const earlier = new Map(values);
    const res = parseDotEnv(text, spec.path, lookup, { raw: spec.raw, fallback: (n) => earlier.get(n) });
    for (const p of res.problems) diags.error(key, p.message, p.location);
    for (const w of res.warnings) diags.warn('interpolation', w.message, w.location);
    const loc = entryLocation(at, Array.isArray(list) ? spec.index : key);
    for (const [k, v] of res.values) {
      values.set(k, v);
      if (loc !== undefined) from.set(k, loc);
    }
  }
  return { values, from };
}

/** Builds `file values` overlaid with the declared map (declared keys win), keeping positions. */
function overlay(svc: RawMap, key: string, files: FileValues): void {
  const fromFiles = files.values;
  const declared = svc[key];
  if (fromFiles.size === 0 && !isRawMap(declared)) return;
  const out: RawMap = {};
  const keys = new Set<string>([...fromFiles.keys(), ...(isRawMap(declared) ? Object.keys(declared) : [])]);
  for (const k of [...keys].sort()) {
    if (isRawMap(declared) && Object.prototype.hasOwnProperty.call(declared, k)) {
      const v = declared[k];
      if (v === undefined) continue;
      out[k] = v;
      copyEntryMeta(declared, k, out, k);
    } else {
      const v = fromFiles.get(k);
      if (v !== undefined) out[k] = v;
      // Values from a file point at the `env_file` / `label_file` entry that brought them.
      setEntryLocation(out, k, files.from.get(k));
    }
  }
  if (isRawMap(declared)) copySelfMeta(declared, out);
  else setSelfLocation(out, entryLocation(svc, key));
  svc[key] = out;
}

/**
 * Resolves each service's environment (compose-spec.md §2.6), in place, on the canonical
 * model: `environment` bare keys from `lookup` (removed when unset), `env_file` contents under
 * `environment`, `label_file` contents under `labels`. Missing required files are errors.
 * With `selected`, only those services (the selection and its dependencies) are resolved.
 * Relative file paths (left so by `--no-path-resolution`) are read from `baseDir`.
 */
export function resolveServiceEnvironment(
  model: RawMap,
  lookup: Lookup,
  diags: DiagnosticBag,
  opts: { selected?: ReadonlySet<string>; baseDir?: string } = {},
): void {
  const { selected, baseDir } = opts;
  const services = model.services;
  if (!isRawMap(services)) return;
  for (const name of Object.keys(services).sort()) {
    // docker compose reads env files only for the services it works on, so an unused
    // service's missing file is no error.
    if (selected !== undefined && !selected.has(name)) continue;
    const svc = services[name];
    if (!isRawMap(svc)) continue;
    const path = ['services', name];
    const env = svc.environment;
    if (isRawMap(env)) {
      for (const [k, v] of Object.entries(env)) {
        if (v !== null) continue;
        const found = lookup(k);
        if (found === undefined) delete env[k];
        else env[k] = found;
      }
    }
    if (svc.env_file !== undefined) {
      const declared = isRawMap(env) ? env : {};
      const envLookup: Lookup = (k) => {
        const fromProject = lookup(k);
        if (fromProject !== undefined) return fromProject;
        const v = declared[k];
        return typeof v === 'string' ? v : undefined;
      };
      overlay(svc, 'environment', loadFiles(svc, 'env_file', envLookup, diags, path, baseDir));
      delete svc.env_file;
    }
    if (svc.label_file !== undefined) {
      overlay(svc, 'labels', loadFiles(svc, 'label_file', lookup, diags, path, baseDir));
      delete svc.label_file;
    }
  }
}
