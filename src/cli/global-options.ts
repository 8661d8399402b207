import { UsageError } from '../errors/diagnostic.js';
import type { LoadOptions } from '../loader/types.js';
import type { CliIo } from './io.js';

/** Flags accepted before the subcommand (compose-spec.md §3.1). */
export interface GlobalOptions {
  file?: string[];
  projectName?: string;
  projectDirectory?: string;
  envFile?: string[];
  profile?: string[];
  ansi: 'never' | 'always' | 'auto';
  progress: 'auto' | 'tty' | 'plain' | 'json' | 'quiet';
  parallel: number;
  engine?: 'docker' | 'embedded';
  dryRun: boolean;
  compatibility: boolean;
  allResources: boolean;
}

const ANSI = ['never', 'always', 'auto'] as const;
const PROGRESS = ['auto', 'tty', 'plain', 'json', 'quiet'] as const;
const ENGINES = ['docker', 'embedded'] as const;

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`invalid value "${value}" for ${flag}: must be one of ${allowed.join(', ')}`);
}

/** Raw commander values → checked global options, with the COMPOSE_* environment defaults. */
export function parseGlobalOptions(raw: Record<string, unknown>, io: CliIo): GlobalOptions {
  const env = io.env;
  const ansiRaw = typeof raw.ansi === 'string' ? raw.ansi : (env.COMPOSE_ANSI ?? 'auto');
  let ansi = oneOf('--ansi', ansiRaw, ANSI);
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '' && raw.ansi === undefined) ansi = 'never';
  let progressRaw = typeof raw.progress === 'string' ? raw.progress : (env.COMPOSE_PROGRESS ?? 'auto');
  if (progressRaw === 'none') progressRaw = 'quiet';
  const progress = oneOf('--progress', progressRaw, PROGRESS);
  if (progress === 'tty' && ansi === 'never') throw new UsageError('can\'t use --progress tty while ANSI support is disabled');
  if (progress === 'plain' && ansi === 'always') throw new UsageError('can\'t use --progress plain while ANSI support is forced');
  let parallel = -1;
  const parallelRaw = typeof raw.parallel === 'string' ? raw.parallel : env.COMPOSE_PARALLEL_LIMIT;
  if (parallelRaw !== undefined && parallelRaw !== '') {
    parallel = Number(parallelRaw);
    if (!Number.isInteger(parallel)) throw new UsageError(`invalid value "${parallelRaw}" for --parallel: must be an integer`);
  }
  const engineRaw = typeof raw.engine === 'string' ? raw.engine : env.BERTH_ENGINE;
  const opts: GlobalOptions = {
    ansi,
    progress,
    parallel,
    dryRun: raw.dryRun === true,
    compatibility: raw.compatibility === true || env.COMPOSE_COMPATIBILITY === 'true',
    allResources: raw.allResources === true,
  };
  if (engineRaw !== undefined && engineRaw !== '') opts.engine = oneOf('--engine', engineRaw, ENGINES);
  const list = (v: unknown): string[] | undefined => (Array.isArray(v) && v.length > 0 ? v.map(String) : undefined);
  const file = list(raw.file);
  if (file !== undefined) opts.file = file;
  const envFile = list(raw.envFile);
  if (envFile !== undefined) opts.envFile = envFile;
  const profile = list(raw.profile);
  if (profile !== undefined) opts.profile = profile;
  if (typeof raw.projectName === 'string') opts.projectName = raw.projectName;
  if (typeof raw.projectDirectory === 'string') opts.projectDirectory = raw.projectDirectory;
  return opts;
}

/** Global options → loader options. */
export function toLoadOptions(g: GlobalOptions, io: CliIo): LoadOptions {
  const opts: LoadOptions = { cwd: io.cwd, env: io.env, readStdin: () => io.readStdin() };
  if (g.file !== undefined) opts.files = g.file;
  if (g.projectName !== undefined) opts.projectName = g.projectName;
  if (g.projectDirectory !== undefined) opts.projectDirectory = g.projectDirectory;
  if (g.envFile !== undefined) opts.envFiles = g.envFile;
  if (g.profile !== undefined) opts.profiles = g.profile;
  return opts;
}

/** Whether to colour output written to a stream. */
export function useColor(g: GlobalOptions, isTTY: boolean): boolean {
  if (g.ansi === 'always') return true;
  if (g.ansi === 'never') return false;
  return isTTY;
}
