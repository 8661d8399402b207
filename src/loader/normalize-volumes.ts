import { posix } from 'node:path';
import type { RawMap } from './raw.js';

export class VolumeSpecError extends Error {}

const PROPAGATIONS = new Set(['shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate']);

function isLetter(c: string | undefined): boolean {
  return c !== undefined && /^\p{L}$/u.test(c);
}

/**
 * Splits a short volume spec on `:`, except inside `${…}` and right after a one-letter
 * Windows drive (`C:`). Empty sections are errors, as in compose-go.
 */
export function splitVolumeSpec(spec: string): string[] {
  // Without `$` and one-letter fields (a drive, or a letter and a surrogate pair), a plain
  // split gives the same fields as the walk below, much more cheaply.
  if (!spec.includes('$')) {
    const fields = spec.split(':');
    if (fields.every((f, i) => i === fields.length - 1 || f.length > 2)) return fields;
  }
  const parts: string[] = [];
  let buf = '';
  let depth = 0;
  const chars = Array.from(spec);
  chars.forEach((c, i) => {
    if (c === ':' && Array.from(buf).length === 1 && isLetter(buf)) buf += c;
    else if (c === '$' && chars[i + 1] === '{') {
      depth++;
      buf += c;
    } else if (c === '}' && depth > 0) {
      depth--;
      buf += c;
    } else if (c === ':' && depth === 0) {
      parts.push(buf);
      buf = '';
    } else buf += c;
  });
  parts.push(buf);
  return parts;
}

/** `true` when a short-syntax source names a host path rather than a volume. */
export function isBindSource(source: string): boolean {
  if (source === '') return false;
  const c = source[0];
  if (c === '.' || c === '/' || c === '~') return true;
  if (source.startsWith('\\\\')) return true;
  const chars = Array.from(source);
  return chars.length > 1 && isLetter(chars[0]) && chars[1] === ':';
}

/**
 * Parses `SRC:DST[:opts]` / `DST` into docker compose's long syntax: binds get
 * `bind.create_host_path: true`, named and anonymous volumes `volume: {}`; options `ro`,
 * `rw`, `nocopy`, `z`, `Z` and propagation modes are applied, unknown ones ignored; the target
 * is cleaned like Go's `path.Clean`.
 */
export function parseVolumeSpec(spec: string): RawMap {
  if (spec.length === 0) throw new VolumeSpecError('invalid empty volume spec');
  if (spec.length <= 2) return { type: 'volume', target: spec };
  const parts = splitVolumeSpec(spec);
  if (parts.some((p) => p === '')) throw new VolumeSpecError(`invalid spec: ${spec}: empty section between colons`);
  if (parts.length > 3) throw new VolumeSpecError(`invalid spec: ${spec}: too many colons`);
  let source = '';
  let target: string;
  let readOnly = false;
  let nocopy = false;
  let propagation: string | undefined;
  let selinux: string | undefined;
  if (parts.length === 1) target = parts[0] ?? '';
  else {
    source = parts[0] ?? '';
    target = parts[1] ?? '';
  }
  for (const opt of (parts[2] ?? '').split(',')) {
    if (opt === 'ro') readOnly = true;
    else if (opt === 'rw') readOnly = false;
    else if (opt === 'nocopy') nocopy = true;
    else if (opt === 'z' || opt === 'Z') selinux = opt;
    else if (PROPAGATIONS.has(opt)) propagation = opt;
  }
  const bind = isBindSource(source);
  const out: RawMap = { type: bind ? 'bind' : 'volume' };
  if (source !== '') out.source = source;
  out.target = posix.normalize(target).replace(/(.)\/+$/, '$1');
  if (readOnly) out.read_only = true;
  if (bind || propagation !== undefined || selinux !== undefined) {
    const b: RawMap = {};
    if (propagation !== undefined) b.propagation = propagation;
    if (bind) b.create_host_path = true;
    if (selinux !== undefined) b.selinux = selinux;
    out.bind = b;
  }
  if (nocopy) out.volume = { nocopy: true };
  else if (!bind) out.volume = {};
  return out;
}
