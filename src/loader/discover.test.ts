import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DiagnosticBag } from '../errors/diagnostic.js';
import { discoverComposeFiles } from './discover.js';

const root = mkdtempSync(join(tmpdir(), 'berth-discover-'));
after(() => rmSync(root, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, 'case-'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

const base = { files: undefined, projectDirectory: undefined, composeFile: undefined, pathSeparator: undefined };

describe('compose file discovery', () => {
  it('prefers compose.yaml and adds the override file of the same directory', () => {
    const dir = tree({ 'compose.yaml': '', 'docker-compose.yml': '', 'compose.override.yaml': '' });
    const diags = new DiagnosticBag();
    const r = discoverComposeFiles({ ...base, cwd: dir }, diags);
    assert.deepEqual(r.files, [join(dir, 'compose.yaml'), join(dir, 'compose.override.yaml')]);
    assert.match(diags.items[0]?.message ?? '', /Found multiple config files with supported names/);
  });

  it('walks up parent directories', () => {
    const dir = tree({ 'docker-compose.yml': '', 'a/b/readme.txt': '' });
    const r = discoverComposeFiles({ ...base, cwd: join(dir, 'a', 'b') }, new DiagnosticBag());
    assert.deepEqual(r.files, [join(dir, 'docker-compose.yml')]);
  });

  it('never adds override files to -f files or COMPOSE_FILE', () => {
    const dir = tree({ 'compose.yaml': '', 'compose.override.yaml': '', 'other.yaml': '' });
    const diags = new DiagnosticBag();
    assert.deepEqual(discoverComposeFiles({ ...base, cwd: dir, files: ['compose.yaml'] }, diags).files, [join(dir, 'compose.yaml')]);
    assert.deepEqual(
      discoverComposeFiles({ ...base, cwd: dir, composeFile: 'compose.yaml:other.yaml' }, diags).files,
      [join(dir, 'compose.yaml'), join(dir, 'other.yaml')],
    );
    assert.deepEqual(
      discoverComposeFiles({ ...base, cwd: dir, composeFile: 'compose.yaml;other.yaml', pathSeparator: ';' }, diags).files,
      [join(dir, 'compose.yaml'), join(dir, 'other.yaml')],
    );
    assert.equal(diags.hasErrors, false);
  });

  it('reports a missing -f file and when nothing is found', () => {
    const dir = tree({ 'x.txt': '' });
    const diags = new DiagnosticBag();
    discoverComposeFiles({ ...base, cwd: dir, files: ['nope.yaml'] }, diags);
    assert.equal(diags.items[0]?.message, `open ${join(dir, 'nope.yaml')}: no such file or directory`);
    const none = new DiagnosticBag();
    const r = discoverComposeFiles({ ...base, cwd: dir }, none);
    assert.deepEqual(r.files, []);
    assert.match(none.items[0]?.message ?? '', /^no configuration file provided: not found/);
  });

  it('keeps - for standard input', () => {
    const r = discoverComposeFiles({ ...base, cwd: '/', files: ['-'] }, new DiagnosticBag());
    assert.deepEqual(r.files, ['-']);
  });
});
