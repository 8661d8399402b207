import type { RawValue } from './raw.js';
import { isRawMap } from './raw.js';

/**
 * Identity keys of list entries for the "unique by …" merge rules (compose-spec.md §2.9).
 * Each returns undefined when the entry has a shape the rule does not understand; such
 * entries are never treated as duplicates (validation reports them later).
 */

function scalarText(v: RawValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** `host_ip:published:target/protocol` with `0.0.0.0` and `tcp` as defaults. */
export function portKey(entry: RawValue): string | undefined {
  if (isRawMap(entry)) {
    const target = scalarText(entry['target']);
    if (target === undefined) return undefined;
    const hostIp = scalarText(entry['host_ip']) ?? '';
    const published = scalarText(entry['published']) ?? '';
    const protocol = scalarText(entry['protocol']) ?? '';
    return formatPortKey(hostIp, published, target, protocol);
  }
  const text = scalarText(entry);
  if (text === undefined) return undefined;
  let rest = text.trim();
  let protocol = '';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    protocol = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
  }
  let colon = rest.lastIndexOf(':');
  const target = colon >= 0 ? rest.slice(colon + 1) : rest;
  rest = colon >= 0 ? rest.slice(0, colon) : '';
  colon = rest.lastIndexOf(':');
  // A bracketed IPv6 host (`[::1]:8080:80`) ends with `]`, so its own colons are never the last one.
  const published = colon >= 0 ? rest.slice(colon + 1) : rest;
  let hostIp = colon >= 0 ? rest.slice(0, colon) : '';
  if (hostIp.startsWith('[') && hostIp.endsWith(']')) hostIp = hostIp.slice(1, -1);
  return formatPortKey(hostIp, published, target, protocol);
}

function formatPortKey(hostIp: string, published: string, target: string, protocol: string): string {
  return `${hostIp === '' ? '0.0.0.0' : hostIp}:${published}:${target}/${protocol === '' ? 'tcp' : protocol}`;
}

/**
 * Splits a short volume/device spec on `:`, except inside `${…}` (uninterpolated files) and
 * after a Windows drive letter at the start of a field (`C:\data:/data`).
 */
export function splitVolumeSpec(spec: string): string[] {
  // Most specs have neither: a plain split gives the same fields without building them char by char.
  if (!spec.includes('${')) {
    const fields = spec.split(':');
    let drive = false;
    for (let i = 0; i + 1 < fields.length && !drive; i++) {
      const next = fields[i + 1]!;
      drive = /^[A-Za-z]$/.test(fields[i]!) && (next.startsWith('\\') || next.startsWith('/'));
    }
    if (!drive) return fields;
  }
  const parts: string[] = [];
  let buf = '';
  let depth = 0;
  for (let i = 0; i < spec.length; i++) {
    const ch = spec[i]!;
    if (ch === '$' && spec[i + 1] === '{') {
      depth++;
      buf += '${';
      i++;
      continue;
    }
    if (depth > 0) {
      if (ch === '{') depth++;
      else if (ch === '}') depth--;
      buf += ch;
      continue;
    }
    const next = spec[i + 1];
    if (ch === ':' && /^[A-Za-z]$/.test(buf) && (next === '\\' || next === '/')) {
      buf += ch;
      continue;
    }
    if (ch === ':') {
      parts.push(buf);
      buf = '';
      continue;
    }
    buf += ch;
  }
  parts.push(buf);
  return parts;
}

/** Container path of a `volumes` or `devices` entry (short: the second field, or the only one). */
export function mountTarget(entry: RawValue): string | undefined {
  if (isRawMap(entry)) return scalarText(entry['target']);
  if (typeof entry !== 'string') return undefined;
  const parts = splitVolumeSpec(entry);
  return parts.length >= 2 ? parts[1] : parts[0];
}

/** Target of a service `secrets` / `configs` entry, with the defaults of the short syntax. */
export function fileRefTarget(entry: RawValue, kind: 'secrets' | 'configs'): string | undefined {
  const source = isRawMap(entry) ? scalarText(entry['source']) : scalarText(entry);
  const explicit = isRawMap(entry) ? scalarText(entry['target']) : undefined;
  if (kind === 'secrets') {
    const name = explicit ?? source;
    if (name === undefined) return undefined;
    return name.startsWith('/') ? name : `/run/secrets/${name}`;
  }
  if (explicit !== undefined) return explicit;
  return source === undefined ? undefined : `/${source}`;
}

/** `env_file` entries are the same file when their paths are equal. */
export function envFilePath(entry: RawValue): string | undefined {
  if (isRawMap(entry)) return scalarText(entry['path']);
  return scalarText(entry);
}

/** `host=ip` / `host:ip` normalized to `host=ip` so that both spellings are one entry. */
export function hostEntryKey(entry: RawValue): string | undefined {
  const text = scalarText(entry);
  if (text === undefined) return undefined;
  const eq = text.indexOf('=');
  const sep = eq >= 0 ? eq : text.indexOf(':');
  if (sep < 0) return text;
  return `${text.slice(0, sep).trim()}=${text.slice(sep + 1).trim()}`;
}

/** `subnet` of an `ipam.config` entry. */
export function subnetKey(entry: RawValue): string | undefined {
  return isRawMap(entry) ? scalarText(entry['subnet']) : undefined;
}
