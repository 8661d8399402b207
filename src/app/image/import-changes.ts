/**
 * `berth image import -c CHANGE`: Dockerfile instructions that set the imported image's config
 * (Docker's `import --change`): CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME,
 * WORKDIR. Applied in order, as a Dockerfile would.
 */
import { posix } from 'node:path';
import type { ImportConfig } from '../../engine/embedded/image/import-rootfs.js';
import { UsageError } from '../../errors/diagnostic.js';

const SUPPORTED = 'CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME and WORKDIR';

/** Shell-like words: whitespace separates, quotes group (double quotes and bare text take backslash escapes). */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (c === '\\' && i + 1 < text.length && (quote === undefined || text[i + 1] === '"' || text[i + 1] === '\\')) {
      word += text[++i]!;
      inWord = true;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new UsageError(`unterminated quote in "${text}"`);
  if (inWord) words.push(word);
  return words;
}

/** `KEY=value ...` pairs, or the legacy `KEY value with spaces` form for ENV. */
function pairs(instruction: string, rest: string, legacy: boolean): Array<[string, string]> {
  const words = splitWords(rest);
  if (words.length === 0) throw new UsageError(`${instruction} needs at least one argument`);
  if (legacy && !words[0]!.includes('=')) {
    const value = rest.trim().slice(rest.trim().search(/\s/)).trim();
    if (words.length < 2) throw new UsageError(`${instruction} ${words[0]!} needs a value`);
    return [[words[0]!, value]];
  }
  return words.map((w) => {
    const i = w.indexOf('=');
    if (i <= 0) throw new UsageError(`${instruction} needs KEY=value, got "${w}"`);
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

/** A JSON array of strings (the exec form), or undefined. */
function jsonArray(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) return parsed;
  } catch {
    // Not JSON: Docker treats it as the shell form, and so do we.
  }
  return undefined;
}

/** The exec form (`["a", "b"]`) as is; anything else runs through /bin/sh -c. */
function commandForm(rest: string): string[] {
  const text = rest.trim();
  return jsonArray(text) ?? ['/bin/sh', '-c', text];
}

/** `80`, `80/udp`, `8000-8002/tcp` → `80/tcp`, … */
function exposedPorts(rest: string): string[] {
  const out: string[] = [];
  for (const word of splitWords(rest)) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(word);
    if (m === null) throw new UsageError(`invalid port "${word}" in EXPOSE`);
    const first = Number(m[1]);
    const last = m[2] !== undefined ? Number(m[2]) : first;
    if (first < 1 || last > 65535 || last < first) throw new UsageError(`invalid port "${word}" in EXPOSE`);
    for (let p = first; p <= last; p++) out.push(`${p}/${(m[3] ?? 'tcp').toLowerCase()}`);
  }
  return out;
}

function setEnv(env: readonly string[], key: string, value: string): string[] {
  return [...env.filter((e) => e.split('=', 1)[0] !== key), `${key}=${value}`];
}

/** Applies `changes` (in order) to `base`; throws UsageError naming the bad change. */
export function applyChanges(changes: readonly string[], base: ImportConfig = {}): ImportConfig {
  const config: ImportConfig = { ...base };
  let cmdSet = false;
  for (const change of changes) {
    const m = /^\s*([A-Za-z]+)(?:\s+([\s\S]*))?$/.exec(change);
    const instruction = m?.[1]?.toUpperCase() ?? '';
    const rest = m?.[2] ?? '';
    if (m === null || (rest.trim() === '' && instruction !== '')) {
      throw new UsageError(m === null ? `invalid change "${change}"` : `${instruction} needs an argument (in change "${change}")`);
    }
    switch (instruction) {
      case 'ENV':
        for (const [k, v] of pairs('ENV', rest, true)) config.Env = setEnv(config.Env ?? [], k, v);
        break;
      case 'LABEL':
        for (const [k, v] of pairs('LABEL', rest, false)) config.Labels = { ...(config.Labels ?? {}), [k]: v };
        break;
      case 'CMD':
        config.Cmd = commandForm(rest);
        cmdSet = true;
        break;
      case 'ENTRYPOINT':
        config.Entrypoint = commandForm(rest);
        // As in a Dockerfile: a new entrypoint drops a command not set alongside it.
        if (!cmdSet) delete config.Cmd;
        break;
      case 'WORKDIR':
        config.WorkingDir = posix.resolve(config.WorkingDir ?? '/', rest.trim());
        break;
      case 'USER':
        config.User = rest.trim();
        break;
      case 'STOPSIGNAL':
        config.StopSignal = rest.trim();
        break;
      case 'EXPOSE':
        config.ExposedPorts = { ...(config.ExposedPorts ?? {}), ...Object.fromEntries(exposedPorts(rest).map((p) => [p, {}])) };
        break;
      case 'VOLUME': {
        const volumes = jsonArray(rest.trim()) ?? splitWords(rest);
        config.Volumes = { ...(config.Volumes ?? {}), ...Object.fromEntries(volumes.map((v) => [v, {}])) };
        break;
      }
      default:
        throw new UsageError(`invalid change "${change}": only ${SUPPORTED} are supported`);
    }
  }
  return config;
}
