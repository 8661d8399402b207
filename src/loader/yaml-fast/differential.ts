import assert from 'node:assert/strict';
import { DiagnosticBag } from '../../errors/diagnostic.js';
import { parseWithLibrary } from '../parse-yaml.js';
import type { RawValue } from '../raw.js';
import { isDollarFree, metaSnapshot } from '../raw.js';
import { fastParseCompose, lastBailReason } from './index.js';

/** Positions and tags raw.ts keeps on a container (without the reader-only `dollarFree` hint, checked on its own). */
function positionsOf(container: object): unknown {
  return metaSnapshot(container);
}

function hasDollar(v: RawValue): boolean {
  if (typeof v === 'string') return v.includes('$');
  if (Array.isArray(v)) return v.some(hasDollar);
  if (typeof v === 'object' && v !== null) return Object.values(v).some(hasDollar);
  return false;
}

function walk(a: RawValue, b: RawValue, path: string): void {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    assert.ok(Object.is(a, b), `value at ${path}: fast ${JSON.stringify(a)} vs library ${JSON.stringify(b)}`);
    return;
  }
  assert.equal(Array.isArray(a), Array.isArray(b), `kind at ${path}`);
  assert.deepStrictEqual(positionsOf(a), positionsOf(b), `positions/tags at ${path}`);
  if (isDollarFree(a)) assert.ok(!hasDollar(a), `marked free of $ but holds one at ${path}`);
  const ka = Object.keys(a);
  assert.deepStrictEqual(ka, Object.keys(b), `keys at ${path}`);
  for (const k of ka) {
    walk((a as Record<string, RawValue>)[k]!, (b as Record<string, RawValue>)[k]!, `${path}/${k}`);
  }
}

export type Outcome = { kind: 'same' } | { kind: 'bail'; reason: string; libraryErrors: number };

/**
 * Runs both paths on `text`. When the fast path answers, the library path must parse
 * without errors and give the same values, positions and tags; otherwise returns why it bailed.
 */
export function runBoth(text: string, file = 'compose.yaml'): Outcome {
  const diags = new DiagnosticBag();
  const slow = parseWithLibrary(text, file, diags);
  const fast = fastParseCompose(text, file);
  if (fast === undefined) return { kind: 'bail', reason: lastBailReason(), libraryErrors: diags.items.length };
  assert.deepStrictEqual(
    diags.items.map((d) => d.message),
    [],
    `fast path accepted input the library rejects: ${JSON.stringify(text.slice(0, 200))}`,
  );
  assert.equal(fast.length, slow.length, 'document count');
  fast.forEach((doc, i) => walk(doc, slow[i]!, `doc${i}`));
  return { kind: 'same' };
}
