import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiagnosticBag } from '../errors/diagnostic.js';
import { parseComposeYaml } from './parse-yaml.js';
import type { RawMap } from './raw.js';
import { entryLocation } from './raw.js';
import { normalizeModel } from './normalize.js';
import { resolveModelPaths } from './resolve-paths.js';
import { resolveServiceEnvironment } from './service-environment.js';

let dir = '';
const PROJECT_ENV: Record<string, string> = { SHELL_VAR: 'from-shell', OVERRIDE: 'project' };
const lookup = (n: string): string | undefined => PROJECT_ENV[n];

function run(yaml: string, selected?: ReadonlySet<string>): { model: RawMap; diags: DiagnosticBag } {
  const diags = new DiagnosticBag();
  const [model] = parseComposeYaml(yaml, join(dir, 'compose.yaml'), diags);
  assert.ok(model);
  resolveModelPaths(model, dir, undefined);
  normalizeModel(model, { diags, projectName: 'p', lookup });
  resolveServiceEnvironment(model, lookup, diags, selected !== undefined ? { selected } : {});
  return { model, diags };
}

function service(model: RawMap, name = 'web'): RawMap {
  return (model.services as RawMap)[name] as RawMap;
}

void describe('resolveServiceEnvironment', () => {
  void before(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-env-'));
    writeFileSync(join(dir, 'a.env'), 'A=1\nSHARED=from-a\nREF=${OVERRIDE}\n');
    writeFileSync(join(dir, 'b.env'), 'SHARED=from-b\nB=${A}-${DECLARED}\n');
    writeFileSync(join(dir, 'raw.env'), 'Q="quoted"\n');
    writeFileSync(join(dir, 'labels.txt'), 'l1=file\nl2=file\n');
  });
  void after(() => rmSync(dir, { recursive: true, force: true }));

  void it('resolves bare keys from the project env and drops unset ones', () => {
    const { model, diags } = run('services:\n  web:\n    image: x\n    environment: [SHELL_VAR, UNSET_VAR, EMPTY=]\n');
    assert.deepEqual(service(model).environment, { SHELL_VAR: 'from-shell', EMPTY: '' });
    assert.equal(diags.items.length, 0);
  });

  void it('env files in order, environment wins, env_file removed', () => {
    const { model, diags } = run(`services:
  web:
    image: x
    env_file: [a.env, b.env, {path: missing.env, required: false}]
    environment:
      SHARED: declared
      DECLARED: d
`);
    assert.deepEqual(diags.items, []);
    assert.deepEqual(service(model).environment, { A: '1', B: '1-d', DECLARED: 'd', REF: 'project', SHARED: 'declared' });
    assert.equal(service(model).env_file, undefined);
    const env = service(model).environment as RawMap;
    assert.equal(entryLocation(env, 'A')?.line, 4);
    assert.equal(entryLocation(env, 'A')?.col, 16);
    assert.equal(entryLocation(env, 'B')?.col, 23);
    assert.equal(entryLocation(env, 'DECLARED')?.line, 7);
  });

  void it('an optional missing env file adds no environment', () => {
    const { model, diags } = run('services:\n  web:\n    image: x\n    env_file: [{path: none.env, required: false}]\n');
    assert.deepEqual(diags.items, []);
    assert.equal(service(model).environment, undefined);
    assert.equal(service(model).env_file, undefined);
  });

  void it('skips services outside the selection', () => {
    const { model, diags } = run('services:\n  web:\n    image: x\n  other:\n    image: x\n    env_file: gone.env\n', new Set(['web']));
    assert.deepEqual(diags.items, []);
    assert.deepEqual(service(model, 'other').env_file, [{ path: join(dir, 'gone.env'), required: true }]);
  });

  void it('format raw keeps quotes', () => {
    const { model } = run('services:\n  web:\n    image: x\n    env_file: [{path: raw.env, format: raw}]\n');
    assert.deepEqual(service(model).environment, { Q: '"quoted"' });
  });

  void it('a missing required env file is an error at its entry', () => {
    const { diags } = run('services:\n  web:\n    image: x\n    env_file:\n      - nope.env\n');
    assert.deepEqual(
      diags.items.map((d) => [d.message, d.path, d.location?.line]),
      [[`env file ${join(dir, 'nope.env')} not found`, 'services.web.env_file[0]', 5]],
    );
  });

  void it('label_file into labels, labels win, missing label file is an error', () => {
    const { model, diags } = run(`services:
  web:
    image: x
    label_file: labels.txt
    labels: {l2: declared}
  two:
    image: x
    label_file: [gone.txt]
`);
    assert.deepEqual(service(model).labels, { l1: 'file', l2: 'declared' });
    assert.equal(service(model).label_file, undefined);
    assert.deepEqual(
      diags.items.map((d) => [d.message, d.path]),
      [[`label file ${join(dir, 'gone.txt')} not found`, 'services.two.label_file[0]']],
    );
  });
});
