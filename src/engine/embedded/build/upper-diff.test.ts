import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { link, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readTar } from '../../../model/tar-reader.js';
import { mountOverlay, unmountOverlay } from '../state/overlay.js';
import { layerTar } from './layer-tar.js';
import { upperDiffEntries } from './upper-diff.js';

describe('overlay upperdir → layer entries (real overlay mount)', () => {
  it('turns whiteouts and opaque dirs into .wh. entries and keeps hard links and user xattrs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-upper-test-'));
    const merged = join(dir, 'merged');
    try {
      const lower = join(dir, 'lower');
      await mkdir(join(lower, 'd'), { recursive: true });
      await writeFile(join(lower, 'gone'), 'x');
      await writeFile(join(lower, 'd/old'), 'o');
      await mkdir(join(lower, 'keep'));
      await writeFile(join(lower, 'keep/f'), 'f');
      await mountOverlay({ lowerDirs: [lower], upperDir: join(dir, 'upper'), workDir: join(dir, 'work'), target: merged });
      try {
        await rm(join(merged, 'gone'));
        await rm(join(merged, 'd'), { recursive: true });
        await mkdir(join(merged, 'd'));
        await writeFile(join(merged, 'd/new'), 'n');
        await writeFile(join(merged, 'keep/added'), 'added');
        await link(join(merged, 'keep/added'), join(merged, 'hard'));
        execFileSync('setfattr', ['-n', 'user.berth', '-v', 'yes', join(merged, 'd/new')]);
      } finally {
        await unmountOverlay(merged);
      }
      const entries = await upperDiffEntries(join(dir, 'upper'));
      assert.deepEqual(entries.map((e) => `${e.path} ${e.type}${e.linkTarget !== undefined ? ` -> ${e.linkTarget}` : ''}`), [
        'd dir', 'd/.wh..wh..opq file', 'd/new file', '.wh.gone file', 'hard file', 'keep dir', 'keep/added hardlink -> hard',
      ]);
      assert.deepEqual(entries.find((e) => e.path === 'd/new')?.xattrs, { 'user.berth': Buffer.from('yes') });
      const read: string[] = [];
      for await (const m of readTar(layerTar(entries))) {
        let body = '';
        for await (const c of m.body) body += c.toString();
        read.push(`${m.header.path}:${m.header.type}:${body}:${Object.keys(m.header.xattrs).join(',')}`);
      }
      assert.deepEqual(read, ['d/:dir::', 'd/.wh..wh..opq:file::', 'd/new:file:n:user.berth', '.wh.gone:file::', 'hard:file:added:', 'keep/:dir::', 'keep/added:hardlink::']);
    } finally {
      await unmountOverlay(merged).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
