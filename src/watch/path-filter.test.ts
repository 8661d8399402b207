import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compilePathFilter, readContextIgnore, relativeInside } from './path-filter.js';

describe('compilePathFilter', () => {
  const plain = compilePathFilter({ root: '/p/src', ignore: [], include: [] });

  it('accepts paths under the root only', () => {
    assert.equal(plain.accepts('/p/src/a.js'), true);
    assert.equal(plain.accepts('/p/src/deep/b.js'), true);
    assert.equal(plain.accepts('/p/src'), true);
    assert.equal(plain.accepts('/p/srcx/a.js'), false);
    assert.equal(plain.accepts('/p/other.js'), false);
  });

  it('ignores editor temp and swap files and .git anywhere below the root', () => {
    for (const p of ['a.js~', '.a.js.swp', 'd/.b.swx', '.#lock', '#auto#', '4913', 'x___jb_tmp___', 'x___jb_old___', '.idea/workspace.xml', '.git/index', 'sub/.git/HEAD', 'f.kate-swp/../.g.kate-swp', 'main-go-tmp-umask']) {
      assert.equal(plain.accepts(`/p/src/${p}`), false, p);
    }
    assert.equal(plain.accepts('/p/src/gitignored.txt'), true);
    assert.equal(plain.accepts('/p/src/node_modules/x/index.js'), true, 'node_modules is watched unless the project ignores it');
  });

  it('applies the rule ignore and include relative to the rule path, with exceptions', () => {
    const f = compilePathFilter({ root: '/p/src', ignore: ['*.tmp', 'build/', 'node_modules', 'logs/**', '!logs/keep.log'], include: [] });
    assert.equal(f.accepts('/p/src/a.tmp'), false);
    assert.equal(f.accepts('/p/src/d/a.tmp'), true, '*.tmp stays in the first segment like .dockerignore');
    assert.equal(f.accepts('/p/src/build/out.js'), false);
    assert.equal(f.accepts('/p/src/node_modules/x/index.js'), false);
    assert.equal(f.accepts('/p/src/logs/a.log'), false);
    assert.equal(f.accepts('/p/src/logs/keep.log'), true);
    const inc = compilePathFilter({ root: '/p/src', ignore: ['**/skip.js'], include: ['**/*.js'] });
    assert.equal(inc.accepts('/p/src/a/b.js'), true);
    assert.equal(inc.accepts('/p/src/a/b.css'), false);
    assert.equal(inc.accepts('/p/src/a/skip.js'), false);
  });

  it('applies the build context ignore patterns relative to the context', () => {
    const f = compilePathFilter({ root: '/p/app/src', ignore: [], include: [], context: { dir: '/p/app', patterns: ['src/generated', '*.md'] } });
    assert.equal(f.accepts('/p/app/src/generated/x.js'), false);
    assert.equal(f.accepts('/p/app/src/README.md'), true, '*.md matches only at the context root');
    assert.equal(f.accepts('/p/app/src/main.js'), true);
  });

  it('prunes ignored trees unless an exception may re-include something below', () => {
    const f = compilePathFilter({ root: '/p/src', ignore: ['node_modules', 'cache', '!cache/keep'], include: [] });
    assert.equal(f.prunes('/p/src/node_modules'), true);
    assert.equal(f.prunes('/p/src/.git'), true);
    assert.equal(f.prunes('/p/src/cache'), false);
    assert.equal(f.prunes('/p/src/lib'), false);
    assert.equal(f.prunes('/p'), false, 'ancestors lead to the root');
    assert.equal(f.prunes('/elsewhere'), true);
  });

  it('gives paths relative to the root', () => {
    assert.equal(relativeInside('/p/src', '/p/src'), '');
    assert.equal(relativeInside('/p/src', '/p/src/a/b'), 'a/b');
    assert.equal(relativeInside('/p/src', '/p/src2'), undefined);
    assert.equal(relativeInside('/p/src', '/p'), undefined);
  });
});

describe('readContextIgnore', () => {
  it('prefers <Dockerfile>.dockerignore over the context .dockerignore', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-watch-ignore-'));
    try {
      assert.deepEqual(await readContextIgnore(dir, 'Dockerfile'), []);
      await writeFile(join(dir, '.dockerignore'), '# comment\n*.log\n/dist\n');
      assert.deepEqual(await readContextIgnore(dir, 'Dockerfile'), ['*.log', 'dist']);
      await writeFile(join(dir, 'Dockerfile.dockerignore'), 'secret\n!secret/public\n');
      assert.deepEqual(await readContextIgnore(dir, 'Dockerfile'), ['secret', '!secret/public']);
      assert.deepEqual(await readContextIgnore(dir, undefined), ['*.log', 'dist']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
