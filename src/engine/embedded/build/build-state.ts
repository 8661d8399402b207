/**
 * A stage's state while it builds (config, layers, ARG values in scope) and the instructions
 * that only change the image config: ENV, LABEL, ARG, CMD, ENTRYPOINT, USER, EXPOSE, VOLUME,
 * HEALTHCHECK, STOPSIGNAL, SHELL, ONBUILD, MAINTAINER — with Docker's substitution rules.
 */
import { parseGoDuration } from '../../../model/duration.js';
import type { StateLayer } from './build-cache.js';
import type { Command, Instruction, NameValue } from './instructions.js';
import { expandWord, expandWords } from './shell-lex.js';
import type { VarLookup } from './shell-lex.js';

export interface ContainerConfigDoc {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number };
  Shell?: string[];
  OnBuild?: string[] | null;
}

export interface HistoryEntry {
  created: string;
  created_by: string;
  empty_layer?: boolean;
  comment?: string;
}

export interface BuiltConfig {
  architecture: string;
  os: string;
  variant?: string;
  created: string;
  author?: string;
  config: ContainerConfigDoc;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history: HistoryEntry[];
}

export interface StageState {
  key: string;
  layers: StateLayer[];
  config: BuiltConfig;
  /** ARGs declared in this stage: name → value (undefined: declared without a value). */
  args: Map<string, string | undefined>;
  /** CMD was set in this stage (ENTRYPOINT then keeps it). */
  cmdSet: boolean;
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const DEFAULT_SHELL = ['/bin/sh', '-c'];

export function envMap(env: readonly string[] | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env ?? []) {
    const eq = e.indexOf('=');
    m.set(eq < 0 ? e : e.slice(0, eq), eq < 0 ? '' : e.slice(eq + 1));
  }
  return m;
}

/** ENV wins over ARG of the same name. */
export function stageLookup(state: StageState): VarLookup {
  const env = envMap(state.config.config.Env);
  return (name) => env.get(name) ?? state.args.get(name);
}

/** The environment of a RUN step: image ENV, then ARG values not shadowed by it, and a default PATH. */
export function runEnv(state: StageState): string[] {
  const env = envMap(state.config.config.Env);
  const out = [...(state.config.config.Env ?? [])];
  for (const [k, v] of [...state.args].sort(([a], [b]) => (a < b ? -1 : 1))) if (v !== undefined && !env.has(k)) out.push(`${k}=${v}`);
  if (!env.has('PATH')) out.push(`PATH=${DEFAULT_PATH}`);
  return out;
}

/** The argv a command form runs: exec form as is, shell form through SHELL. */
export function commandArgs(cmd: Command, shell: readonly string[] | undefined): string[] {
  return cmd.form === 'exec' ? [...cmd.args] : [...(shell ?? DEFAULT_SHELL), cmd.text];
}

function setEnv(config: ContainerConfigDoc, name: string, value: string): void {
  const env = (config.Env ?? []).filter((e) => !(e === name || e.startsWith(`${name}=`)));
  env.push(`${name}=${value}`);
  config.Env = env;
}

/** Expanded name=value pairs, all substituted with the environment from before the instruction. */
function pairs(list: readonly NameValue[], lookup: VarLookup, escape: string): Array<[string, string]> {
  return list.map((p) => [expandWord(p.name, lookup, escape), expandWord(p.value ?? '', lookup, escape)]);
}

function durationNs(value: string | undefined, flag: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ns = Number(parseGoDuration(value));
  if (ns < 0) throw new Error(`--${flag} cannot be negative`);
  return ns;
}

export function exposedPorts(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(w);
    if (m === null) throw new Error(`invalid containerPort: ${w}`);
    const from = parseInt(m[1]!, 10);
    const to = m[2] !== undefined ? parseInt(m[2], 10) : from;
    if (to < from) throw new Error(`invalid port range: ${w}`);
    for (let p = from; p <= to; p++) out.push(`${p}/${(m[3] ?? 'tcp').toLowerCase()}`);
  }
  return out;
}

/**
 * Applies a config-only instruction. `buildArgs` are the user's values (they win over ARG
 * defaults), `globalArgs` the values of ARGs declared before the first FROM.
 */
export function applyConfigInstruction(state: StageState, ins: Instruction, escape: string, buildArgs: Readonly<Record<string, string>>, globalArgs: ReadonlyMap<string, string | undefined>): void {
  const lookup = stageLookup(state);
  const c = state.config.config;
  switch (ins.kind) {
    case 'arg':
      for (const a of ins.args) {
        const name = a.name;
        const fromUser = Object.prototype.hasOwnProperty.call(buildArgs, name) ? buildArgs[name] : undefined;
        const dflt = a.value !== undefined ? expandWord(a.value, lookup, escape) : globalArgs.get(name);
        state.args.set(name, fromUser ?? dflt);
      }
      return;
    case 'env':
      for (const [k, v] of pairs(ins.pairs, lookup, escape)) setEnv(c, k, v);
      return;
    case 'label':
      c.Labels = { ...(c.Labels ?? {}) };
      for (const [k, v] of pairs(ins.pairs, lookup, escape)) c.Labels[k] = v;
      return;
    case 'cmd':
      c.Cmd = commandArgs(ins.command, c.Shell);
      state.cmdSet = true;
      return;
    case 'entrypoint':
      c.Entrypoint = ins.command.form === 'shell' && ins.command.text === '' ? null : commandArgs(ins.command, c.Shell);
      if (!state.cmdSet) c.Cmd = null;
      return;
    case 'user':
      c.User = expandWord(ins.user, lookup, escape);
      return;
    case 'expose':
      c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
      for (const p of exposedPorts(expandWords(ins.ports, lookup, escape))) c.ExposedPorts[p] = {};
      return;
    case 'volume': {
      const list = typeof ins.paths === 'string' ? expandWords(ins.paths, lookup, escape) : ins.paths.map((p) => expandWord(p, lookup, escape));
      c.Volumes = { ...(c.Volumes ?? {}) };
      for (const v of list) {
        if (v.trim() === '') throw new Error('VOLUME specified can not be an empty string');
        c.Volumes[v] = {};
      }
      return;
    }
    case 'healthcheck': {
      if (ins.none) {
        c.Healthcheck = { Test: ['NONE'] };
        return;
      }
      const cmd = ins.command!;
      const test = cmd.form === 'exec' ? ['CMD', ...cmd.args] : ['CMD-SHELL', cmd.text];
      const retries = ins.flags.retries !== undefined && ins.flags.retries !== '' ? parseInt(ins.flags.retries, 10) : undefined;
      if (retries !== undefined && (!Number.isInteger(retries) || retries < 0)) throw new Error(`--retries must be a non-negative integer, got ${ins.flags.retries}`);
      const interval = durationNs(ins.flags.interval, 'interval');
      const timeout = durationNs(ins.flags.timeout, 'timeout');
      const startPeriod = durationNs(ins.flags['start-period'], 'start-period');
      const startInterval = durationNs(ins.flags['start-interval'], 'start-interval');
      c.Healthcheck = {
        Test: test,
        ...(interval !== undefined ? { Interval: interval } : {}),
        ...(timeout !== undefined ? { Timeout: timeout } : {}),
        ...(startPeriod !== undefined ? { StartPeriod: startPeriod } : {}),
        ...(startInterval !== undefined ? { StartInterval: startInterval } : {}),
        ...(retries !== undefined ? { Retries: retries } : {}),
      };
      return;
    }
    case 'stopsignal':
      c.StopSignal = expandWord(ins.signal, lookup, escape);
      return;
    case 'shell':
      c.Shell = [...ins.args];
      return;
    case 'onbuild':
      c.OnBuild = [...(c.OnBuild ?? []), ins.text];
      return;
    case 'maintainer':
      state.config.author = ins.name;
      return;
    case 'run':
    case 'copy':
    case 'add':
    case 'workdir':
      throw new Error(`${ins.raw.keyword} changes the file system; it is not a config instruction`);
  }
}
