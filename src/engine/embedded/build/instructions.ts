/**
 * Typed Dockerfile instructions and stages. Arguments stay unexpanded here: substitution needs
 * the build-time environment (stage ENV and ARG values), so the builder expands them per step.
 */
import { DockerfileError, parseDockerfile, parseJsonArray } from './dockerfile-parser.js';
import type { RawInstruction } from './dockerfile-parser.js';
import { splitKeepingQuotes } from './shell-lex.js';

export type Command = { form: 'exec'; args: string[] } | { form: 'shell'; text: string };

export interface NameValue {
  name: string;
  /** Unexpanded value (quotes still in it); undefined for `ARG NAME` without a default. */
  value?: string;
}

export interface HealthcheckInstr {
  kind: 'healthcheck';
  none: boolean;
  command?: Command;
  flags: Record<string, string>;
}

export type InstructionBody =
  | { kind: 'arg'; args: NameValue[] }
  | { kind: 'env'; pairs: NameValue[] }
  | { kind: 'label'; pairs: NameValue[] }
  | { kind: 'run'; command: Command; network?: string }
  | { kind: 'cmd'; command: Command }
  | { kind: 'entrypoint'; command: Command }
  | { kind: 'copy' | 'add'; sources: string[]; dest: string; from?: string; chown?: string; chmod?: string }
  | { kind: 'workdir'; path: string }
  | { kind: 'user'; user: string }
  | { kind: 'expose'; ports: string }
  | { kind: 'volume'; paths: string[] | string }
  | HealthcheckInstr
  | { kind: 'stopsignal'; signal: string }
  | { kind: 'shell'; args: string[] }
  | { kind: 'onbuild'; text: string }
  | { kind: 'maintainer'; name: string };

export type Instruction = InstructionBody & { raw: RawInstruction };

export interface Stage {
  index: number;
  /** Lower-cased `AS` name. */
  name?: string;
  /** Unexpanded base image reference (or a stage name, or `scratch`). */
  base: string;
  platform?: string;
  from: RawInstruction;
  instructions: Instruction[];
}

export interface DockerfilePlan {
  escape: string;
  /** ARGs before the first FROM. */
  globalArgs: NameValue[];
  stages: Stage[];
}

function command(raw: RawInstruction): Command {
  const json = parseJsonArray(raw.args);
  return json !== undefined ? { form: 'exec', args: json } : { form: 'shell', text: raw.args };
}

function need(raw: RawInstruction, ok: boolean, what: string): void {
  if (!ok) throw new DockerfileError(raw.line, `${raw.keyword} ${what}`);
}

function flagValue(raw: RawInstruction, allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of raw.flags) {
    if (!allowed.includes(f.name)) throw new DockerfileError(raw.line, `unknown flag: --${f.name}`);
    out[f.name] = f.value;
  }
  return out;
}

/** `k=v k2="v 2"` pairs; the legacy `ENV key value…` form when the first word has no `=`. */
function nameValues(raw: RawInstruction, escape: string, legacy: boolean): NameValue[] {
  const words = splitKeepingQuotes(raw.args, escape);
  need(raw, words.length > 0, 'requires at least one argument');
  if (legacy && !words[0]!.includes('=')) {
    const name = words[0]!;
    const value = raw.args.slice(raw.args.indexOf(name) + name.length).trim();
    need(raw, value !== '', 'requires a value (KEY=VALUE or KEY VALUE)');
    return [{ name, value }];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    need(raw, eq > 0, `names can not be blank; expected KEY=VALUE, got "${w}"`);
    return { name: w.slice(0, eq), value: w.slice(eq + 1) };
  });
}

function argNames(raw: RawInstruction, escape: string): NameValue[] {
  const words = splitKeepingQuotes(raw.args, escape);
  need(raw, words.length > 0, 'requires at least one argument');
  return words.map((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? { name: w } : { name: w.slice(0, eq), value: w.slice(eq + 1) };
  });
}

function copyLike(raw: RawInstruction, kind: 'copy' | 'add'): Instruction {
  const flags = flagValue(raw, kind === 'copy' ? ['from', 'chown', 'chmod', 'link', 'parents', 'exclude'] : ['chown', 'chmod', 'link', 'checksum', 'keep-git-dir']);
  if (flags.exclude !== undefined || flags.parents !== undefined) throw new DockerfileError(raw.line, `${raw.keyword} --exclude/--parents are not supported by berth's embedded builder`);
  const words = parseJsonArray(raw.args) ?? raw.args.split(/[ \t]+/).filter((w) => w !== '');
  need(raw, words.length >= 2, 'requires at least two arguments, but only one was provided. Destination could not be determined');
  return {
    kind, raw, sources: words.slice(0, -1), dest: words[words.length - 1]!,
    ...(flags.from !== undefined ? { from: flags.from } : {}),
    ...(flags.chown !== undefined ? { chown: flags.chown } : {}),
    ...(flags.chmod !== undefined ? { chmod: flags.chmod } : {}),
  };
}

function healthcheck(raw: RawInstruction): Instruction {
  const flags = flagValue(raw, ['interval', 'timeout', 'start-period', 'start-interval', 'retries']);
  const m = /^(\S+)\s*([\s\S]*)$/.exec(raw.args);
  const sub = m?.[1]?.toUpperCase();
  if (sub === 'NONE') {
    need(raw, (m?.[2] ?? '') === '' && raw.flags.length === 0, 'NONE takes no arguments');
    return { kind: 'healthcheck', raw, none: true, flags };
  }
  need(raw, sub === 'CMD' && (m?.[2] ?? '') !== '', 'requires CMD <command> or NONE');
  return { kind: 'healthcheck', raw, none: false, command: command({ ...raw, args: m?.[2] ?? '' }), flags };
}

function typed(raw: RawInstruction, escape: string): Instruction {
  const k = raw.keyword;
  if (k !== 'RUN' && k !== 'COPY' && k !== 'ADD' && k !== 'HEALTHCHECK') need(raw, raw.flags.length === 0, 'takes no flags');
  switch (k) {
    case 'ARG': return { kind: 'arg', raw, args: argNames(raw, escape) };
    case 'ENV': return { kind: 'env', raw, pairs: nameValues(raw, escape, true) };
    case 'LABEL': return { kind: 'label', raw, pairs: nameValues(raw, escape, true) };
    case 'RUN': {
      const flags = flagValue(raw, ['network', 'mount', 'security']);
      if (flags.mount !== undefined || flags.security !== undefined) throw new DockerfileError(raw.line, 'RUN --mount and --security are not supported by berth\'s embedded builder');
      need(raw, raw.args !== '', 'requires at least one argument');
      return { kind: 'run', raw, command: command(raw), ...(flags.network !== undefined ? { network: flags.network } : {}) };
    }
    case 'CMD': return { kind: 'cmd', raw, command: command(raw) };
    case 'ENTRYPOINT': return { kind: 'entrypoint', raw, command: command(raw) };
    case 'COPY': return copyLike(raw, 'copy');
    case 'ADD': return copyLike(raw, 'add');
    case 'WORKDIR': need(raw, raw.args !== '', 'requires exactly one argument'); return { kind: 'workdir', raw, path: raw.args };
    case 'USER': need(raw, raw.args !== '', 'requires exactly one argument'); return { kind: 'user', raw, user: raw.args };
    case 'EXPOSE': need(raw, raw.args !== '', 'requires at least one argument'); return { kind: 'expose', raw, ports: raw.args };
    case 'VOLUME': need(raw, raw.args !== '', 'requires at least one argument'); return { kind: 'volume', raw, paths: parseJsonArray(raw.args) ?? raw.args };
    case 'HEALTHCHECK': return healthcheck(raw);
    case 'STOPSIGNAL': need(raw, raw.args !== '', 'requires exactly one argument'); return { kind: 'stopsignal', raw, signal: raw.args };
    case 'SHELL': {
      const json = parseJsonArray(raw.args);
      need(raw, json !== undefined && json.length > 0, 'requires the arguments to be in JSON form');
      return { kind: 'shell', raw, args: json ?? [] };
    }
    case 'ONBUILD': {
      const inner = /^(\S+)/.exec(raw.args)?.[1]?.toUpperCase();
      need(raw, inner !== undefined, 'requires an instruction');
      if (inner === 'ONBUILD' || inner === 'FROM' || inner === 'MAINTAINER') throw new DockerfileError(raw.line, `${inner} isn't allowed as an ONBUILD trigger`);
      return { kind: 'onbuild', raw, text: raw.args };
    }
    case 'MAINTAINER': return { kind: 'maintainer', raw, name: raw.args };
    default: throw new DockerfileError(raw.line, `unknown instruction: ${raw.keyword}`);
  }
}

function fromLine(raw: RawInstruction, index: number): Stage {
  const flags = flagValue(raw, ['platform']);
  const words = raw.args.split(/[ \t]+/).filter((w) => w !== '');
  const ok = words.length === 1 || (words.length === 3 && words[1]!.toLowerCase() === 'as');
  need(raw, ok, 'requires either one or three arguments');
  const name = words.length === 3 ? words[2]!.toLowerCase() : undefined;
  if (name !== undefined && !/^[a-z][a-z0-9_.-]*$/.test(name)) throw new DockerfileError(raw.line, `invalid name for build stage: "${words[2]!}", name can't start with a number or contain symbols`);
  return { index, base: words[0]!, from: raw, instructions: [], ...(name !== undefined ? { name } : {}), ...(flags.platform !== undefined ? { platform: flags.platform } : {}) };
}

export function planDockerfile(text: string): DockerfilePlan {
  const parsed = parseDockerfile(text);
  const globalArgs: NameValue[] = [];
  const stages: Stage[] = [];
  for (const raw of parsed.instructions) {
    if (raw.keyword === 'FROM') {
      const stage = fromLine(raw, stages.length);
      if (stage.name !== undefined && stages.some((s) => s.name === stage.name)) throw new DockerfileError(raw.line, `duplicate stage name "${stage.name}"`);
      stages.push(stage);
      continue;
    }
    const current = stages[stages.length - 1];
    if (current === undefined) {
      if (raw.keyword !== 'ARG') throw new DockerfileError(raw.line, `no build stage in current context (${raw.keyword} before FROM)`);
      globalArgs.push(...argNames(raw, parsed.escape));
      continue;
    }
    current.instructions.push(typed(raw, parsed.escape));
  }
  if (stages.length === 0) throw new DockerfileError(1, 'file with no instructions');
  return { escape: parsed.escape, globalArgs, stages };
}
