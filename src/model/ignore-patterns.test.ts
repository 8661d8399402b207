import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanPath, compileIgnorePatterns, parseIgnoreFile } from './ignore-patterns.js';

const matcher = (text: string) => compileIgnorePatterns(parseIgnoreFile(text));

describe('ignore patterns', () => {
  it('parses lines: comments, blanks, spaces, leading slash, ./, exceptions', () => {
    assert.deepEqual(parseIgnoreFile('\uFEFF# c\n\n  a.txt  \r\n/b\n./c/../d\n! e/\n!/f\n #not-comment\n'),
      ['a.txt', 'b', 'd', '!e', '!f', '#not-comment']);
  });

  it('cleans paths like Go path.Clean', () => {
    assert.deepEqual(['a//b/', './a', 'a/./b/../c', '../x', '/../x', ''].map(cleanPath), ['a/b', 'a', 'a/c', '../x', '/x', '.']);
  });

  it('matches * and ? within one segment', () => {
    const m = matcher('*.log\nfile?.txt\n');
    assert.equal(m.ignores('a.log'), true);
    assert.equal(m.ignores('dir/a.log'), false);
    assert.equal(m.ignores('file1.txt'), true);
    assert.equal(m.ignores('file12.txt'), false);
    assert.equal(m.ignores('file/.txt'), false);
  });

  it('matches ** across any number of segments, including none', () => {
    const m = matcher('**/*.tmp\nsub/**/deep\nlogs/**\n');
    assert.equal(m.ignores('a.tmp'), true);
    assert.equal(m.ignores('x/y/z/a.tmp'), true);
    assert.equal(m.ignores('sub/deep'), true);
    assert.equal(m.ignores('sub/a/b/deep'), true);
    assert.equal(m.ignores('other/deep'), false);
    assert.equal(m.ignores('logs/a/b'), true);
    assert.equal(m.ignores('logs'), false);
  });

  it('excludes everything below a matched directory', () => {
    const m = matcher('node_modules\n/build/\n');
    assert.equal(m.ignores('node_modules'), true);
    assert.equal(m.ignores('node_modules/a/b.js'), true);
    assert.equal(m.ignores('build/out.js'), true);
    assert.equal(m.ignores('src/node_modules'), false);
    assert.equal(m.ignores('src/build/x'), false);
  });

  it('lets the last matching pattern win, with ! exceptions', () => {
    const m = matcher('*.md\n!README.md\nREADME-secret.md\n!docs\ndocs/private.md\n');
    assert.equal(m.ignores('CHANGES.md'), true);
    assert.equal(m.ignores('README.md'), false);
    assert.equal(m.ignores('README-secret.md'), true);
    assert.equal(m.hasExceptions, true);
    const all = matcher('*\n!keep/**\n!src\n');
    assert.equal(all.ignores('anything'), true);
    assert.equal(all.ignores('keep/a/b'), false);
    assert.equal(all.ignores('src/x.ts'), false);
    assert.equal(all.mustDescend('keep'), true);
    assert.equal(all.mustDescend('other'), false);
  });

  it('handles character classes and escapes', () => {
    const m = matcher('[ab].txt\n[!x]y\nlit\\*star\nq.s\n');
    assert.equal(m.ignores('a.txt'), true);
    assert.equal(m.ignores('c.txt'), false);
    assert.equal(m.ignores('zy'), true);
    assert.equal(m.ignores('xy'), false);
    assert.equal(m.ignores('lit*star'), true);
    assert.equal(m.ignores('litXstar'), false);
    assert.equal(m.ignores('qXs'), false);
  });
});
