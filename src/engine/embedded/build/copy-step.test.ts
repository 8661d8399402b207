import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compileIgnorePatterns, parseIgnoreFile } from '../../../model/ignore-patterns.js';
import { copyEntries } from './copy-step.js';
import type { CopyRequest } from './copy-step.js';
import { wildcardRegex } from './copy-sources.js';

async function withContext(fn: (ctx: string) => Promise<void>): Promise<void> {
  const ctx = await mkdtemp(join(tmpdir(), 'berth-copy-test-'));
  try {
    for (const [p, c] of Object.entries({ 'a.txt': 'a', 'b.txt': 'bb', 'c.log': 'c', 'dir/x.txt': 'x', 'dir/sub/y.txt': 'y', 'dir/skip.tmp': 's' })) {
      await mkdir(join(ctx, p, '..'), { recursive: true });
      await writeFile(join(ctx, p), c);
    }
    await chmod(join(ctx, 'b.txt'), 0o750);
    await utimes(join(ctx, 'a.txt'), 1_600_000_000, 1_600_000_000);
    await symlink('a.txt', join(ctx, 'link'));
    await symlink('../a.txt', join(ctx, 'dir/uplink'));
    await fn(ctx);
  } finally {
    await rm(ctx, { recursive: true, force: true });
  }
}

function req(ctx: string, sources: string[], dest: string, extra: Partial<CopyRequest> = {}): CopyRequest {
  const matcher = compileIgnorePatterns(parseIgnoreFile('*.log\ndir/*.tmp\n'));
  return { kind: 'copy', sources, dest, workdir: '/work', src: { root: ctx, matcher }, fromContext: true, layers: [], tmpDir: ctx, ...extra };
}

const summary = (entries: Awaited<ReturnType<typeof copyEntries>>): string[] =>
  entries.map((e) => `${e.path} ${e.type} ${e.mode.toString(8)} ${e.uid}:${e.gid}${e.linkTarget !== undefined ? ` -> ${e.linkTarget}` : ''}`);

describe('COPY entries', () => {
  it('copies a directory\'s contents (not the directory), honouring .dockerignore', async () => {
    await withContext(async (ctx) => {
      const entries = await copyEntries(req(ctx, ['dir'], '/dst'), 1000);
      assert.deepEqual(summary(entries), [
        'dst dir 755 0:0', 'dst/sub dir 755 0:0', 'dst/sub/y.txt file 644 0:0', 'dst/uplink symlink 777 0:0 -> ../a.txt', 'dst/x.txt file 644 0:0',
      ]);
    });
  });

  it('follows a symlink source, keeps modes and mtimes, and resolves relative destinations against WORKDIR', async () => {
    await withContext(async (ctx) => {
      const entries = await copyEntries(req(ctx, ['link', 'b.txt'], 'rel/'), 1000);
      assert.deepEqual(summary(entries), ['work dir 755 0:0', 'work/rel dir 755 0:0', 'work/rel/b.txt file 750 0:0', 'work/rel/link file 644 0:0']);
      assert.equal(entries.find((e) => e.path === 'work/rel/link')?.mtime, 1_600_000_000);
      assert.equal(entries.find((e) => e.path === 'work')?.mtime, 1000);
    });
  });

  it('expands wildcards (never ignored files) and applies --chown/--chmod', async () => {
    await withContext(async (ctx) => {
      // `dir/*` matches dir/sub, a directory: its contents land in /d/ (skip.tmp is ignored).
      const entries = await copyEntries(req(ctx, ['*.txt', 'dir/*'], '/d/', { chown: '7:8', chmod: '600' }), 1000);
      assert.deepEqual(summary(entries), [
        'd dir 755 7:8', 'd/a.txt file 600 7:8', 'd/b.txt file 600 7:8', 'd/uplink file 600 7:8', 'd/x.txt file 600 7:8', 'd/y.txt file 600 7:8',
      ]);
      await assert.rejects(copyEntries(req(ctx, ['*.log'], '/d/'), 1), /no source files were specified/);
    });
  });

  it('copies one file to a file path, and fails like Docker on missing, ignored and URL sources', async () => {
    await withContext(async (ctx) => {
      assert.deepEqual(summary(await copyEntries(req(ctx, ['a.txt'], '/etc/renamed'), 1000)), ['etc dir 755 0:0', 'etc/renamed file 644 0:0']);
      await assert.rejects(copyEntries(req(ctx, ['c.log'], '/x'), 1), { message: 'file not found in build context or excluded by .dockerignore: stat c.log: file does not exist' });
      await assert.rejects(copyEntries(req(ctx, ['nope*'], '/x'), 1), /no source files were specified/);
      await assert.rejects(copyEntries(req(ctx, ['a.txt', 'b.txt'], '/x'), 1), /the destination must be a directory and end with a \//);
      await assert.rejects(copyEntries(req(ctx, ['https://example.com/f'], '/x', { kind: 'add' }), 1), /ADD from a URL .* is not supported/);
      await assert.rejects(copyEntries(req(ctx, ['a.txt'], '/x', { chown: 'nobody' }), 1), /can't find uid for user nobody/);
    });
  });

  it('matches wildcards per path segment like Go filepath.Match', () => {
    assert.equal(wildcardRegex('dir/*.txt').test('dir/x.txt'), true);
    assert.equal(wildcardRegex('*.txt').test('dir/x.txt'), false);
    assert.equal(wildcardRegex('[ab].tx?').test('b.txt'), true);
    assert.equal(wildcardRegex('[!ab].txt').test('a.txt'), false);
  });
});
