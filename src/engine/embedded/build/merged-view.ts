/**
 * Looks at an image's merged file system through its overlay-native layer dirs (top first),
 * without mounting: whiteouts (0:0 char devices) hide, opaque dirs stop the descent.
 */
import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayerView } from '../image/image-config.js';

/** lstat of a path (relative to the root) in the merged view; undefined when absent. */
export async function mergedLstat(layers: readonly LayerView[], path: string): Promise<Stats | undefined> {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) {
    const top = layers[0];
    return top === undefined ? undefined : lstat(top.diffDir);
  }
  for (const layer of layers) {
    const opaque = new Set(layer.opaqueDirs);
    let cur = layer.diffDir;
    let hidesBelow = opaque.has('');
    for (let i = 0; i < parts.length; i++) {
      cur = join(cur, parts[i]!);
      const st = await lstat(cur).catch(() => undefined);
      if (st === undefined) break;
      if (st.isCharacterDevice() && st.rdev === 0) return undefined;
      if (i === parts.length - 1) return st;
      // A non-directory in a higher layer hides everything below that path.
      if (!st.isDirectory()) return undefined;
      if (opaque.has(parts.slice(0, i + 1).join('/'))) hidesBelow = true;
    }
    if (hidesBelow) return undefined;
  }
  return undefined;
}
