import type { DiagnosticBag, ModelPath } from '../errors/diagnostic.js';
import type { RawMap, RawValue } from './raw.js';
import { isRawMap, locate } from './raw.js';

/** What every consistency check reads: the canonical model after profiles. */
export interface CheckContext {
  readonly model: RawMap;
  /** Enabled services (`model.services`). */
  readonly services: RawMap;
  /** Services disabled by profiles. */
  readonly disabled: RawMap;
  readonly diags: DiagnosticBag;
}

export interface ReportOptions {
  /** Point at the map key (`db:` in `depends_on`) rather than at its value. */
  forKey?: boolean;
  /** Model path to show when the message already names a shorter one (`services.web: …`). */
  shownPath?: ModelPath;
}

/** Reports a consistency error located at the YAML node of `path`. */
export function report(ctx: CheckContext, path: ModelPath, message: string, opts: ReportOptions = {}): void {
  ctx.diags.error('consistency', message, locate(ctx.model, path, opts.forKey === true), opts.shownPath ?? path);
}

export function mapAt(m: RawMap, key: string): RawMap | undefined {
  const v = m[key];
  return isRawMap(v) ? v : undefined;
}

export function listAt(m: RawMap, key: string): RawValue[] {
  const v = m[key];
  return Array.isArray(v) ? v : [];
}

export function strAt(m: RawMap, key: string): string | undefined {
  const v = m[key];
  return typeof v === 'string' ? v : undefined;
}

export function has(m: RawMap | undefined, key: string): boolean {
  return m !== undefined && Object.prototype.hasOwnProperty.call(m, key) && m[key] !== undefined;
}

export function sortedKeys(m: RawMap | undefined): string[] {
  return m === undefined ? [] : Object.keys(m).sort();
}

const BYTE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** A byte size as Docker reads it (`512m`, `1g`, `1024`, 1024-based units); undefined if unreadable. */
export function toBytes(v: RawValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?) ?([kmgtp]?)i?b?$/i.exec(v.trim());
  if (m === null) return undefined;
  return Math.round(Number(m[1]) * (BYTE_UNITS[m[2]!.toLowerCase()] ?? 1));
}

/** A number given as a number or a numeric string (`cpus: "0.5"`); undefined otherwise. */
export function toNumber(v: RawValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
