import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticBag } from '../errors/diagnostic.js';
import { combineEnv, readEnvFiles } from './env-files.js';
import { interpolateDocument } from './interpolate.js';
import { parseComposeYaml } from './parse-yaml.js';
import type { RawMap } from './raw.js';
import { lookupFrom } from './types.js';

void describe('readEnvFiles', () => {
  void it('returns only file variables; later files override earlier ones', () => {
    const bag = new DiagnosticBag();
    const vars = readEnvFiles(
      [
        { path: '/p/a.env', content: 'B=from-a\nA=1\nSHARED=a' },
        { path: '/p/b.env', content: 'SHARED=b\nC=${A}-${SHARED}' },
      ],
      { HOME: '/home/u' },
      bag,
    );
    assert.deepEqual(bag.items, []);
    assert.deepEqual(Object.entries(vars), [
      ['A', '1'],
      ['B', 'from-a'],
      ['C', '1-b'],
      ['SHARED', 'b'],
    ]);
  });

  void it('lets the OS environment win inside substitutions', () => {
    const bag = new DiagnosticBag();
    const vars = readEnvFiles(
      [
        { path: '/p/.env', content: 'OPTION_A=1\nOPTION_B=${OPTION_A}' },
        { path: '/p/2.env', content: 'OPTION_C=$OPTION_A' },
      ],
      { OPTION_A: '5', UNDEF: undefined },
      bag,
    );
    assert.deepEqual(vars, { OPTION_A: '1', OPTION_B: '5', OPTION_C: '5' });
  });

  void it('reads raw files with docker CLI rules', () => {
    const bag = new DiagnosticBag();
    const vars = readEnvFiles([{ path: '/p/raw.env', content: 'A="$B" # x', raw: true }], {}, bag);
    assert.deepEqual(vars, { A: '"$B" # x' });
  });

  void it('turns problems into diagnostics at the file location and warns once per variable', () => {
    const bag = new DiagnosticBag();
    const vars = readEnvFiles(
      [
        { path: '/p/a.env', content: 'A=$NOPE\nB="open' },
        { path: '/p/b.env', content: 'C=${NOPE}' },
      ],
      {},
      bag,
    );
    assert.deepEqual(vars, { A: '', C: '' });
    assert.deepEqual(bag.items, [
      {
        severity: 'error',
        code: 'env-file',
        message: 'line 2: unterminated quoted value',
        location: { file: '/p/a.env', line: 2, col: 3 },
      },
      {
        severity: 'warning',
        code: 'interpolation',
        message: 'The "NOPE" variable is not set. Defaulting to a blank string.',
        location: { file: '/p/a.env', line: 1, col: 3 },
      },
    ]);
  });

  void it('shares the unset-variable warning with compose interpolation', () => {
    const bag = new DiagnosticBag();
    readEnvFiles([{ path: '/p/.env', content: 'A=$NOPE' }], {}, bag);
    const doc = parseComposeYaml('services:\n  a:\n    image: $NOPE\n', '/p/compose.yaml', bag)[0]!;
    interpolateDocument(doc, () => undefined, bag);
    assert.equal(bag.items.length, 1);
    assert.equal(bag.items[0]!.location?.file, '/p/.env');
  });
});

void describe('combineEnv', () => {
  void it('layers the OS environment over file variables, sorted', () => {
    const env = combineEnv({ Z: 'os', A: 'os', GONE: undefined }, { A: 'file', M: 'file' });
    assert.deepEqual(Object.entries(env), [
      ['A', 'os'],
      ['M', 'file'],
      ['Z', 'os'],
    ]);
  });

  void it('feeds compose interpolation end to end', () => {
    const bag = new DiagnosticBag();
    const os = { TAG: 'from-os' };
    const fileVars = readEnvFiles([{ path: '/p/.env', content: 'TAG=from-file\nIMAGE=nginx:${TAG}' }], os, bag);
    const doc = parseComposeYaml('services:\n  a:\n    image: $IMAGE\n    labels: [t=$TAG]\n', '/p/compose.yaml', bag)[0]!;
    interpolateDocument(doc, lookupFrom(combineEnv(os, fileVars)), bag);
    assert.deepEqual(bag.items, []);
    assert.deepEqual((doc.services as RawMap).a, { image: 'nginx:from-os', labels: ['t=from-os'] });
  });
});
