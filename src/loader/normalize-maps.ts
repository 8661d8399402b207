import type { RawMap, RawValue } from './raw.js';
import { copyEntryMeta, copySelfMeta, entryLocation, isRawMap, setEntryLocation } from './raw.js';
import type { Lookup } from './types.js';
import { scalarString } from './normalize-util.js';

/**
 * How a bare list entry (`K` without `=`) or a `null` map value reads: `environment` and
 * `build.args` keep `null` (resolved later), labels and similar mappings use `""`.
 */
export type BareValue = 'null' | 'empty';

/** `["K=V", "K"]` or `{K: V}` ⇒ `{K: "V"}` with string values (numbers and booleans printed). */
export function toStringMap(value: RawValue, bare: BareValue): RawMap {
  const out: RawMap = {};
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const text = scalarString(item);
      const eq = text.indexOf('=');
      const key = eq < 0 ? text : text.slice(0, eq);
      out[key] = eq < 0 ? (bare === 'null' ? null : '') : text.slice(eq + 1);
      const loc = entryLocation(value, i);
      if (loc !== undefined) setEntryLocation(out, key, loc, loc);
    });
  } else if (isRawMap(value)) {
    for (const [k, v] of Object.entries(value)) {
      out[k] = v === null ? (bare === 'null' ? null : '') : scalarString(v);
      copyEntryMeta(value, k, out, k);
    }
  }
  if (typeof value === 'object' && value !== null) copySelfMeta(value, out);
  return out;
}

/** `toStringMap` of a mapping, done on the mapping itself. */
export function stringValuesInPlace(map: RawMap, bare: BareValue): void {
  for (const k in map) {
    const v = map[k]!;
    if (typeof v === 'string') continue;
    map[k] = v === null ? (bare === 'null' ? null : '') : scalarString(v);
  }
}

/**
 * Fills `null` values from `lookup`; unresolved keys stay `null` with `keepUnset`, else are
 * dropped (compose-go drops unresolved `build.args`, keeps `environment` for a later pass).
 */
export function resolveBareKeys(map: RawMap, lookup: Lookup, keepUnset: boolean): void {
  for (const [k, v] of Object.entries(map)) {
    if (v !== null) continue;
    const found = lookup(k);
    if (found !== undefined) map[k] = found;
    else if (!keepUnset) delete map[k];
  }
}

/**
 * `extra_hosts` in any form ⇒ host → list of addresses. List entries split on the first `=`
 * (else the first `:`, the legacy form), several addresses may be comma-separated, and
 * brackets around IPv6 addresses are removed.
 */
export function toHostsMap(value: RawValue, onError: (index: number | string, message: string) => void): RawMap {
  const out: RawMap = {};
  const add = (host: string, ips: string[], from: object, key: string | number): void => {
    if (host === '' || /[:=]/.test(host)) {
      onError(key, `bad host name '${host}'`);
      return;
    }
    const cleaned = ips.map((ip) => (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip));
    const prev = out[host];
    const list: RawValue[] = Array.isArray(prev) ? prev : [];
    list.push(...cleaned);
    out[host] = list;
    const loc = entryLocation(from, key);
    if (loc !== undefined && !Array.isArray(prev)) setEntryLocation(out, host, loc, loc);
  };
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const text = scalarString(item);
      const sep = text.includes('=') ? '=' : ':';
      const at = text.indexOf(sep);
      if (at < 0) {
        onError(i, `invalid additional host, missing IP: ${text}`);
        return;
      }
      add(text.slice(0, at), text.slice(at + 1).split(','), value, i);
    });
  } else if (isRawMap(value)) {
    for (const [host, v] of Object.entries(value)) {
      const ips = Array.isArray(v) ? v.map((x) => scalarString(x)) : [scalarString(v)];
      add(host, ips, value, host);
    }
  }
  if (typeof value === 'object' && value !== null) copySelfMeta(value, out);
  return out;
}
