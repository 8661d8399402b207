/**
 * Typed paths of a compose document whose string values are cast after interpolation
 * (compose-spec.md §2.3, compose-go `loader/interpolate.go`), plus a few boolean/integer
 * service fields compose-go leaves to its typed decoder. `*` is any map key, `[]` any index.
 */
export type CastKind = 'int' | 'float' | 'bool' | 'mode';

type Pattern = readonly string[];

const SERVICE_CASTS: ReadonlyArray<readonly [Pattern, CastKind]> = [
  [['cpu_count'], 'int'],
  [['cpu_percent'], 'float'],
  [['cpu_period'], 'int'],
  [['cpu_quota'], 'int'],
  [['cpu_rt_period'], 'int'],
  [['cpu_rt_runtime'], 'int'],
  [['cpus'], 'float'],
  [['cpu_shares'], 'int'],
  [['deploy', 'replicas'], 'int'],
  [['deploy', 'update_config', 'parallelism'], 'int'],
  [['deploy', 'update_config', 'max_failure_ratio'], 'float'],
  [['deploy', 'rollback_config', 'parallelism'], 'int'],
  [['deploy', 'rollback_config', 'max_failure_ratio'], 'float'],
  [['deploy', 'restart_policy', 'max_attempts'], 'int'],
  [['deploy', 'placement', 'max_replicas_per_node'], 'int'],
  [['healthcheck', 'retries'], 'int'],
  [['oom_score_adj'], 'int'],
  [['pids_limit'], 'int'],
  [['mem_swappiness'], 'int'],
  [['ports', '[]', 'target'], 'int'],
  [['scale'], 'int'],
  [['ulimits', '*'], 'int'],
  [['ulimits', '*', 'soft'], 'int'],
  [['ulimits', '*', 'hard'], 'int'],
  [['secrets', '[]', 'mode'], 'mode'],
  [['configs', '[]', 'mode'], 'mode'],
  [['init'], 'bool'],
  [['attach'], 'bool'],
  [['depends_on', '*', 'required'], 'bool'],
  [['depends_on', '*', 'restart'], 'bool'],
  [['healthcheck', 'disable'], 'bool'],
  [['oom_kill_disable'], 'bool'],
  [['privileged'], 'bool'],
  [['read_only'], 'bool'],
  [['stdin_open'], 'bool'],
  [['tty'], 'bool'],
  [['use_api_socket'], 'bool'],
  [['volumes', '[]', 'read_only'], 'bool'],
  [['volumes', '[]', 'volume', 'nocopy'], 'bool'],
  [['volumes', '[]', 'bind', 'create_host_path'], 'bool'],
  [['build', 'no_cache'], 'bool'],
  [['build', 'pull'], 'bool'],
  [['build', 'privileged'], 'bool'],
  [['develop', 'watch', '[]', 'initial_sync'], 'bool'],
  [['post_start', '[]', 'privileged'], 'bool'],
  [['pre_stop', '[]', 'privileged'], 'bool'],
];

const CASTS: ReadonlyArray<readonly [Pattern, CastKind]> = [
  ...SERVICE_CASTS.map(([p, k]) => [['services', '*', ...p], k] as const),
  [['networks', '*', 'external'], 'bool'],
  [['networks', '*', 'internal'], 'bool'],
  [['networks', '*', 'attachable'], 'bool'],
  [['networks', '*', 'enable_ipv4'], 'bool'],
  [['networks', '*', 'enable_ipv6'], 'bool'],
  [['volumes', '*', 'external'], 'bool'],
  [['secrets', '*', 'external'], 'bool'],
  [['configs', '*', 'external'], 'bool'],
];

function matches(pattern: Pattern, path: ReadonlyArray<string | number>): boolean {
  if (pattern.length !== path.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const seg = path[i]!;
    if (p === '[]') {
      if (typeof seg !== 'number') return false;
    } else if (typeof seg !== 'string' || (p !== '*' && p !== seg)) return false;
  }
  return true;
}

/** Patterns by their last segment (a literal key, or `*`), so a lookup checks only a few. */
const BY_LAST = new Map<string, Array<readonly [Pattern, CastKind]>>();
for (const entry of CASTS) {
  const last = entry[0][entry[0].length - 1]!;
  const list = BY_LAST.get(last) ?? [];
  list.push(entry);
  BY_LAST.set(last, list);
}

export function castKindFor(path: ReadonlyArray<string | number>): CastKind | undefined {
  const last = path[path.length - 1];
  if (typeof last !== 'string') return undefined;
  for (const key of [last, '*']) {
    for (const [pattern, kind] of BY_LAST.get(key) ?? []) if (matches(pattern, path)) return kind;
  }
  return undefined;
}

export type CastResult =
  | { readonly ok: true; readonly value: number | boolean; readonly warning?: string }
  | { readonly ok: false; readonly message: string };

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const OCTAL = /^0o?([0-7]+)$/;

function failure(expected: string, value: string): CastResult {
  return { ok: false, message: `must be ${expected} (got ${JSON.stringify(value)})` };
}

/** Casts one interpolated string value; `yes`/`no`/`on`/`off`/`y`/`n` are accepted with a warning. */
export function castValue(kind: CastKind, value: string): CastResult {
  switch (kind) {
    case 'int': {
      const n = Number(value);
      return INT.test(value) && Number.isSafeInteger(n) ? { ok: true, value: n } : failure('an integer', value);
    }
    case 'float':
      return FLOAT.test(value) ? { ok: true, value: Number(value) } : failure('a number', value);
    case 'mode': {
      // File modes are octal when written with a leading zero, as the YAML stage reads `0440`.
      const oct = OCTAL.exec(value);
      if (oct !== null) return { ok: true, value: parseInt(oct[1]!, 8) };
      const n = Number(value);
      return INT.test(value) && Number.isSafeInteger(n) ? { ok: true, value: n } : failure('a file mode', value);
    }
    case 'bool':
      return castBool(value);
  }
}

function castBool(value: string): CastResult {
  switch (value.toLowerCase()) {
    case 'true':
      return { ok: true, value: true };
    case 'false':
      return { ok: true, value: false };
    case 'y':
    case 'yes':
    case 'on':
      return { ok: true, value: true, warning: yaml11Warning(value, true) };
    case 'n':
    case 'no':
    case 'off':
      return { ok: true, value: false, warning: yaml11Warning(value, false) };
    default:
      return failure('a boolean', value);
  }
}

function yaml11Warning(value: string, b: boolean): string {
  return `${JSON.stringify(value)} for boolean is not supported by YAML 1.2, please use \`${String(b)}\``;
}
