import type { RawMap, RawValue } from './raw.js';
import { copySelfMeta, entryLocation, isRawMap, setSelfLocation } from './raw.js';

/**
 * Puts `value` at `parent[key]` in place of `old`, giving the new container the position of
 * the value it replaces, so later errors still point at the user's line.
 */
export function replaceEntry(parent: RawMap | RawValue[], key: string | number, value: RawValue, old: RawValue | undefined): void {
  if (typeof value === 'object' && value !== null) {
    if (typeof old === 'object' && old !== null) copySelfMeta(old, value);
    else setSelfLocation(value, entryLocation(parent, key));
  }
  if (Array.isArray(parent)) {
    if (typeof key === 'number') parent[key] = value;
  } else if (typeof key === 'string') parent[key] = value;
}

/** A new map that takes the position of `at[key]` (the value it stands for). */
export function mapAt(at: object, key: string | number): RawMap {
  const out: RawMap = {};
  setSelfLocation(out, entryLocation(at, key));
  return out;
}

export function getMap(parent: RawMap, key: string): RawMap | undefined {
  const v = parent[key];
  return isRawMap(v) ? v : undefined;
}

/** Scalars as docker compose prints them inside string maps (`42` ⇒ `"42"`). */
export function scalarString(v: RawValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return '';
  return JSON.stringify(v);
}

export function hasOwn(m: RawMap, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, key);
}
