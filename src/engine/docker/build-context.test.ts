import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { BuildSpec } from '../engine.js';
import { collectBuildContext } from './build-context.js';
import { buildQuery } from './build.js';

function spec(context: string, over: Partial<BuildSpec> = {}): BuildSpec {
  return { context, dockerfile: 'Dockerfile', tags: [], args: {}, labels: {}, noCache: false, pull: false, extraHosts: [], ...over };
}

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-ctx-'));
  for (const [p, content] of Object.entries(files)) {
    await mkdir(join(dir, p, '..'), { recursive: true });
    await writeFile(join(dir, p), content);
  }
  return dir;
}

describe('build context', () => {
  it('filters by .dockerignore but always sends the Dockerfile and .dockerignore', async () => {
    const dir = await tree({
      'Dockerfile': 'FROM scratch', '.dockerignore': 'Dockerfile\n.dockerignore\nnode_modules\n*.log\n!keep/**\n',
      'a.log': '', 'src/x.ts': '', 'node_modules/m/index.js': '', 'keep/b.log': '',
    });
    try {
      await symlink('src/x.ts', join(dir, 'ln'));
      const ctx = await collectBuildContext(spec(dir));
      assert.equal(ctx.dockerfile, 'Dockerfile');
      assert.deepEqual(ctx.entries.map((e) => `${e.type[0] ?? ''} ${e.path}`).sort(),
        ['d keep', 'd src', 'f .dockerignore', 'f Dockerfile', 'f keep/b.log', 'f src/x.ts', 's ln'].sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prefers <Dockerfile>.dockerignore, adds inline and outside Dockerfiles under generated names', async () => {
    const dir = await tree({
      'docker/app.Dockerfile': 'FROM scratch', 'docker/app.Dockerfile.dockerignore': 'b.txt\n', '.dockerignore': 'a.txt\n',
      'a.txt': '', 'b.txt': '',
    });
    const outside = await tree({ 'Dockerfile': 'FROM outside' });
    try {
      const ctx = await collectBuildContext(spec(dir, { dockerfile: 'docker/app.Dockerfile' }));
      assert.equal(ctx.dockerfile, 'docker/app.Dockerfile');
      const files = ctx.entries.filter((e) => e.type === 'file').map((e) => e.path).sort();
      assert.deepEqual(files, ['.dockerignore', 'a.txt', 'docker/app.Dockerfile', 'docker/app.Dockerfile.dockerignore']);

      const inline = await collectBuildContext(spec(dir, { dockerfileInline: 'FROM scratch\n' }));
      assert.match(inline.dockerfile, /^\.dockerfile\.inline\.[0-9a-f]{12}$/);
      const entry = inline.entries.find((e) => e.path === inline.dockerfile);
      assert.ok(entry?.type === 'file' && Buffer.isBuffer(entry.content) && entry.content.toString() === 'FROM scratch\n');

      const out = await collectBuildContext(spec(dir, { dockerfile: join(outside, 'Dockerfile') }));
      assert.match(out.dockerfile, /^\.dockerfile\.[0-9a-f]{12}$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('maps build options to the API query', () => {
    assert.deepEqual(buildQuery(spec('/c', {
      tags: ['a:1', 'b:2'], args: { X: '1' }, labels: { l: 'v' }, target: 't', noCache: true, pull: true,
      network: 'host', extraHosts: ['h:1.2.3.4', 'i:5.6.7.8'], shmSizeBytes: 1024, platform: 'linux/amd64',
    }), 'Dockerfile'), {
      dockerfile: 'Dockerfile', t: ['a:1', 'b:2'], buildargs: { X: '1' }, labels: { l: 'v' }, target: 't', nocache: true,
      pull: '1', networkmode: 'host', extrahosts: 'h:1.2.3.4,i:5.6.7.8', shmsize: 1024, platform: 'linux/amd64', rm: true, forcerm: true,
    });
  });
});
