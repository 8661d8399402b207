import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Diagnostic } from '../errors/diagnostic.js';
import { DiagnosticBag } from '../errors/diagnostic.js';
import type { Mapping, Project, ServiceConfig } from '../model/project.js';
import { DependencyGraph } from '../graph/dependency-graph.js';
import { validateModel } from '../schema/validate.js';
import { checkConsistency } from './consistency.js';
import { discoverComposeFiles, STDIN } from './discover.js';
import { readEnvFiles } from './env-files.js';
import { resolveExtends } from './extends.js';
import { resolveIncludes, type IncludeRequest } from './include.js';
import { collectVariables, interpolateDocument, type VariableInfo } from './interpolate.js';
import { mergeModels, mergeModelsInPlace } from './merge.js';
import { normalizeModel, removeObsoleteVersion } from './normalize.js';
import { parseComposeYaml } from './parse-yaml.js';
import { applyProfiles } from './profiles.js';
import { normalizeProjectName, projectNameFromDirectory, validateProjectName } from './project-name.js';
import type { RawMap } from './raw.js';
import { cloneRaw, isRawMap } from './raw.js';
import { resolveModelPaths, resolveServicePaths } from './resolve-paths.js';
import { resolveServiceEnvironment } from './service-environment.js';
import { buildProject } from './to-project.js';
import type { ConfigFile, LoadOptions } from './types.js';
import { lookupFrom } from './types.js';

export interface LoadResult {
  /** Undefined when loading failed (see the error diagnostics). */
  project: Project | undefined;
  /** Every error and warning, sorted. */
  diagnostics: Diagnostic[];
  /** Variables the compose files refer to, when `collectVariables` was asked for. */
  variables: VariableInfo[];
}

interface Session {
  readonly opts: LoadOptions;
  readonly diags: DiagnosticBag;
  readonly home: string | undefined;
  /** Parsed and interpolated files for `extends`, per interpolation environment and path. */
  readonly fileCache: WeakMap<Mapping, Map<string, RawMap | undefined>>;
  readonly variables: Map<string, VariableInfo>;
}

/** Loads compose files into a normalized project (the whole pipeline of DESIGN.md). */
export async function loadProject(opts: LoadOptions): Promise<LoadResult> {
  const diags = new DiagnosticBag();
  const home = opts.home ?? opts.env.HOME;
  const s: Session = { opts, diags, home, fileCache: new WeakMap(), variables: new Map() };
  const project = await load(s);
  const variables = [...s.variables.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { project: diags.hasErrors ? undefined : project, diagnostics: diags.sorted(), variables };
}

function osEnvironment(env: LoadOptions['env']): Mapping {
  const out: Mapping = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

function isRegularFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Adds the variables of env files to `env` without overriding what is set (OS env wins). */
function addEnvFiles(s: Session, env: Mapping, paths: string[], mustExist: boolean): void {
  const files: Array<{ path: string; content: string }> = [];
  for (const p of paths) {
    if (p === '/dev/null') continue;
    if (!isRegularFile(p)) {
      if (mustExist) s.diags.error('env-file', `couldn't find env file: ${p}`);
      continue;
    }
    files.push({ path: p, content: readFileSync(p, 'utf8') });
  }
  if (files.length === 0) return;
  const vars = readEnvFiles(files, env, s.diags);
  for (const [k, v] of Object.entries(vars)) if (!Object.prototype.hasOwnProperty.call(env, k)) env[k] = v;
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());
}

async function load(s: Session): Promise<Project | undefined> {
  const { opts, diags } = s;
  const cwd = opts.cwd;
  const absFromCwd = (p: string): string => (isAbsolute(p) ? p : resolve(cwd, p));
  const env = osEnvironment(opts.env);

  // Env files are evaluated in the directory known before discovery, then again in the
  // project directory (compose-spec.md §2.4); the first value seen wins.
  const firstFile = opts.files?.find((f) => f !== STDIN);
  const preDir =
    opts.projectDirectory !== undefined ? absFromCwd(opts.projectDirectory) : firstFile !== undefined ? dirname(absFromCwd(firstFile)) : cwd;
  const explicitEnvFiles =
    opts.envFiles ?? (env.COMPOSE_ENV_FILES !== undefined && env.COMPOSE_ENV_FILES !== '' ? env.COMPOSE_ENV_FILES.split(',') : undefined);
  const useDotEnv = explicitEnvFiles === undefined && !truthy(env.COMPOSE_DISABLE_ENV_FILE);
  const envFiles = explicitEnvFiles?.map((f) => absFromCwd(f.trim())) ?? [];
  if (explicitEnvFiles !== undefined) addEnvFiles(s, env, envFiles, true);
  else if (useDotEnv) addEnvFiles(s, env, [resolve(preDir, '.env')], false);
  if (diags.hasErrors) return undefined;

  const found = discoverComposeFiles(
    {
      cwd,
      files: opts.files,
      projectDirectory: opts.projectDirectory,
      composeFile: env.COMPOSE_FILE,
      pathSeparator: env.COMPOSE_PATH_SEPARATOR,
    },
    diags,
  );
  if (diags.hasErrors) return undefined;
  const firstReal = found.files.find((f) => f !== STDIN);
  const projectDir =
    opts.projectDirectory !== undefined ? absFromCwd(opts.projectDirectory) : firstReal !== undefined ? dirname(firstReal) : cwd;
  if (useDotEnv && projectDir !== preDir) addEnvFiles(s, env, [resolve(projectDir, '.env')], false);
  if (env.PWD === undefined) env.PWD = cwd;

  const files = await readConfigFiles(s, found.files);
  if (files === undefined) return undefined;
  const parsed = files.map((f) => ({ file: f, docs: parseComposeYaml(f.content, displayName(f.path), diags) }));
  if (diags.hasErrors) return undefined;

  const projectName = resolveProjectName(s, env, parsed.flatMap((p) => p.docs), projectDir);
  if (projectName === undefined) return undefined;
  env.COMPOSE_PROJECT_NAME = projectName;

  let acc: RawMap = {};
  for (const { file, docs } of parsed) {
    for (const doc of docs) {
      const prepared = await prepareDocument(s, doc, file.path, projectDir, env, [file.path]);
      acc = mergeModelsInPlace(acc, prepared, diags);
    }
  }
  delete acc.name;

  // Interpolation and merge problems do not stop validation: all are reported together.
  validateModel(acc, diags);
  if (diags.hasErrors) return undefined;

  if (opts.resolvePaths !== false) resolveModelPaths(acc, projectDir, s.home);
  const normalize = opts.normalize !== false;
  if (normalize) normalizeModel(acc, { diags, projectName, lookup: lookupFrom(env) });
  if (diags.hasErrors) return undefined;

  const selection = applyProfiles(acc, activeProfiles(opts, env), opts.services ?? [], diags);
  if (normalize && opts.resolveEnvironment !== false) {
    const selected = selectedClosure(acc, opts.services);
    resolveServiceEnvironment(acc, lookupFrom(env), diags, { baseDir: projectDir, ...(selected !== undefined ? { selected } : {}) });
  }
  if (normalize && opts.consistency !== false) checkConsistency(acc, selection.disabled, diags);
  if (diags.hasErrors) return undefined;

  return buildProject(acc, {
    name: projectName,
    workingDir: projectDir,
    configFiles: found.files,
    envFiles,
    disabled: selection.disabled,
    profiles: selection.active,
    environment: env,
  });
}

/**
 * The services named on the command line and their dependencies: env files of services
 * that will not run are not read (compose-spec.md §2.6). Undefined means all.
 */
function selectedClosure(model: RawMap, names: readonly string[] | undefined): Set<string> | undefined {
  if (names === undefined || names.length === 0 || !isRawMap(model.services)) return undefined;
  const services = model.services as unknown as Record<string, ServiceConfig>;
  return new Set<string>(DependencyGraph.fromServices(services).withDependencies(names));
}

function displayName(path: string): string {
  return path === STDIN ? '<stdin>' : path;
}

async function readConfigFiles(s: Session, paths: string[]): Promise<ConfigFile[] | undefined> {
  const out: ConfigFile[] = [];
  for (const p of paths) {
    if (p === STDIN) {
      if (s.opts.readStdin === undefined) {
        s.diags.error('discovery', 'reading the compose file from standard input is not possible here');
        return undefined;
      }
      out.push({ path: p, content: await s.opts.readStdin() });
      continue;
    }
    try {
      out.push({ path: p, content: readFileSync(p, 'utf8') });
    } catch (err) {
      s.diags.error('discovery', `cannot read ${p}: ${(err as Error).message}`);
    }
  }
  return s.diags.hasErrors ? undefined : out;
}

function activeProfiles(opts: LoadOptions, env: Mapping): string[] {
  if (opts.profiles !== undefined && opts.profiles.length > 0) return [...opts.profiles];
  const fromEnv = env.COMPOSE_PROFILES;
  if (fromEnv === undefined || fromEnv.trim() === '') return [];
  return fromEnv
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** `-p` ▸ `COMPOSE_PROJECT_NAME` ▸ the last `name:` ▸ the project directory's name. */
function resolveProjectName(s: Session, env: Mapping, docs: RawMap[], projectDir: string): string | undefined {
  const explicit = s.opts.projectName ?? env.COMPOSE_PROJECT_NAME;
  if (explicit !== undefined && explicit !== '') {
    const problem = validateProjectName(explicit);
    if (problem !== undefined) {
      s.diags.error('project-name', problem);
      return undefined;
    }
    return explicit;
  }
  let fromFile: string | undefined;
  for (const doc of docs) {
    if (doc.name === undefined) continue;
    // Interpolate `name` on its own first: the rest of the model may refer to the result.
    const probe: RawMap = { name: cloneRaw(doc.name) };
    if (s.opts.interpolate !== false) interpolateDocument(probe, lookupFrom(env), new DiagnosticBag());
    if (typeof probe.name === 'string' && probe.name !== '') fromFile = probe.name;
  }
  const name = fromFile !== undefined ? normalizeProjectName(fromFile) : projectNameFromDirectory(projectDir);
  if (name === '') {
    s.diags.error('project-name', 'project name must not be empty');
    return undefined;
  }
  return name;
}

/** Interpolation, `include` and `extends` for one YAML document of one file. */
async function prepareDocument(
  s: Session,
  doc: RawMap,
  file: string,
  baseDir: string,
  env: Mapping,
  chain: string[],
): Promise<RawMap> {
  removeObsoleteVersion(doc, s.diags);
  const lookup = lookupFrom(env);
  if (s.opts.collectVariables === true) {
    for (const v of collectVariables(doc)) if (!s.variables.has(v.name)) s.variables.set(v.name, v);
  }
  if (s.opts.interpolate !== false) interpolateDocument(doc, lookup, s.diags);
  if (doc.include !== undefined) {
    await resolveIncludes(doc, {
      diags: s.diags,
      file: displayName(file),
      baseDir,
      home: s.home,
      chain,
      loadProject: (req) => loadIncluded(s, req, env),
    });
  }
  if (isRawMap(doc.services)) {
    resolveExtends(doc, {
      diags: s.diags,
      file: displayName(file),
      baseDir,
      loadFile: (path) => loadExtendedFile(s, path, env),
      rebaseService: (service, fromDir) => {
        if (s.opts.resolvePaths !== false) resolveServicePaths(service, fromDir, s.home);
      },
    });
  }
  return doc;
}

function loadExtendedFile(s: Session, path: string, env: Mapping): RawMap | undefined {
  let cache = s.fileCache.get(env);
  if (cache === undefined) {
    cache = new Map();
    s.fileCache.set(env, cache);
  }
  if (cache.has(path)) return cache.get(path);
  let result: RawMap | undefined;
  try {
    const docs = parseComposeYaml(readFileSync(path, 'utf8'), path, s.diags);
    result = {};
    for (const doc of docs) {
      if (s.opts.interpolate !== false) interpolateDocument(doc, lookupFrom(env), s.diags);
      result = mergeModels(result, doc, s.diags);
    }
  } catch (err) {
    s.diags.error('extends', `cannot read ${path}: ${(err as Error).message}`);
    result = undefined;
  }
  cache.set(path, result);
  return result;
}

/** Loads an included project with its own directory and env files (compose-spec.md §2.12). */
async function loadIncluded(s: Session, req: IncludeRequest, parentEnv: Mapping): Promise<RawMap | undefined> {
  const env: Mapping = { ...parentEnv };
  const envFiles = req.envFiles.length > 0 ? req.envFiles : [resolve(req.projectDirectory, '.env')];
  addEnvFiles(s, env, envFiles, req.envFiles.length > 0);
  let acc: RawMap = {};
  for (const path of req.files) {
    let content: string;
    try {
      content = readFileSync(path, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
      s.diags.error('include', `included file ${path} cannot be read: ${reason}`, req.location);
      return undefined;
    }
    for (const doc of parseComposeYaml(content, path, s.diags)) {
      const prepared = await prepareDocument(s, doc, path, req.projectDirectory, env, [...req.chain, path]);
      acc = mergeModelsInPlace(acc, prepared, s.diags);
    }
  }
  delete acc.name;
  // Paths of an included project always resolve against its own project directory.
  resolveModelPaths(acc, req.projectDirectory, s.home);
  return acc;
}
