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

/**
 * The patterns as a trie walked along with the document: a walk keeps the nodes its path has
 * reached, so most values (outside every pattern) cost nothing. A segment may follow a literal
 * child and a `*` / `[]` child at once, hence a list of nodes.
 */
interface TrieNode {
  readonly literal: Map<string, TrieNode>;
  star: TrieNode | undefined;
  index: TrieNode | undefined;
  /** The pattern ending here, ranked as `castKindFor` ranks them (literal last key first, then order). */
  end: { readonly kind: CastKind; readonly rank: number } | undefined;
}

export type CastState = readonly TrieNode[] | undefined;

function trieNode(): TrieNode {
  return { literal: new Map(), star: undefined, index: undefined, end: undefined };
}

const ROOT = trieNode();
CASTS.forEach(([pattern, kind], order) => {
  let node = ROOT;
  for (const p of pattern) {
    let next: TrieNode | undefined;
    if (p === '*') next = node.star ??= trieNode();
    else if (p === '[]') next = node.index ??= trieNode();
    else {
      next = node.literal.get(p);
      if (next === undefined) node.literal.set(p, (next = trieNode()));
    }
    node = next;
  }
  const rank = (pattern[pattern.length - 1] === '*' ? CASTS.length : 0) + order;
  if (node.end === undefined || rank < node.end.rank) node.end = { kind, rank };
});

/** The walk state at the document's root. */
export const ROOT_CAST_STATE: CastState = [ROOT];

/** The state one segment further down; undefined once no pattern can match any more. */
export function castStep(state: CastState, seg: string | number): CastState {
  if (state === undefined) return undefined;
  let out: TrieNode[] | undefined;
  for (const node of state) {
    if (typeof seg === 'number') {
      if (node.index !== undefined) (out ??= []).push(node.index);
      continue;
    }
    const lit = node.literal.get(seg);
    if (lit !== undefined) (out ??= []).push(lit);
    if (node.star !== undefined) (out ??= []).push(node.star);
  }
  return out;
}

/** The cast for a value at the state's path, if a pattern ends there. */
export function castAt(state: CastState): CastKind | undefined {
  if (state === undefined) return undefined;
  let best: { readonly kind: CastKind; readonly rank: number } | undefined;
  for (const node of state) if (node.end !== undefined && (best === undefined || node.end.rank < best.rank)) best = node.end;
  return best?.kind;
}

export function castKindFor(path: ReadonlyArray<string | number>): CastKind | undefined {
  if (typeof path[path.length - 1] !== 'string') return undefined;
  let state: CastState = ROOT_CAST_STATE;
  for (const seg of path) state = castStep(state, seg);
  return castAt(state);
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
