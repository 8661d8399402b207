import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticBag } from '../errors/diagnostic.js';
import { parseComposeYaml } from '../loader/parse-yaml.js';
import { toYaml } from './yaml-writer.js';

function roundTrip(value: Record<string, unknown>): unknown {
  const diags = new DiagnosticBag();
  const [doc] = parseComposeYaml(toYaml(value), 'out.yaml', diags);
  assert.equal(diags.hasErrors, false, toYaml(value));
  return JSON.parse(JSON.stringify(doc)) as unknown;
}

describe('YAML writer', () => {
  it('writes block style with indented sequences', () => {
    assert.equal(
      toYaml({ services: { web: { ports: [{ mode: 'ingress', target: 80, published: '8080' }], networks: { default: null }, tmpfs: [] } } }),
      'services:\n  web:\n    ports:\n      - mode: ingress\n        target: 80\n        published: "8080"\n    networks:\n      default: null\n    tmpfs: []\n',
    );
  });

  it('quotes strings that would read as other types or break the syntax', () => {
    const tricky = ['8080', '1.5', 'true', 'no', 'Off', 'null', '~', '', ' lead', 'trail ', 'a: b', 'x #c', '#c', '- x', '*ref', '&a',
      '!tag', '{a}', '[a]', '@x', '`x`', '%x', "'q'", '"q"', '0x1F', '0o17', '1_000', '1:30', '.inf', '2024-01-02', 'tab\there', 'end:',
      '-', '---', '<<', '1e3', '+1'];
    for (const s of tricky) assert.deepEqual(roundTrip({ v: s }), { v: s }, s);
    assert.equal(toYaml({ a: '-q' }), 'a: -q\n');
    assert.equal(toYaml({ a: 'http://x:80/y' }), 'a: http://x:80/y\n');
    assert.equal(toYaml({ a: 'echo "hi" $HOME' }), 'a: echo "hi" $HOME\n');
  });

  it('keeps numbers, booleans and nulls as such, and multi-line strings as block scalars', () => {
    assert.deepEqual(roundTrip({ n: 3, f: 0.5, b: false, z: null, neg: -2 }), { n: 3, f: 0.5, b: false, z: null, neg: -2 });
    const text = 'FROM x\nRUN echo hi\n';
    assert.equal(toYaml({ d: text }), 'd: |\n  FROM x\n  RUN echo hi\n');
    for (const s of ['a\nb', 'a\nb\n\n', 'a\n\nb', ' lead\nx', 'a \nb']) assert.deepEqual(roundTrip({ d: s }), { d: s }, JSON.stringify(s));
  });

  it('writes lists of lists and keys that need quoting', () => {
    const v = { m: [['a', 'b'], []], 'com.example/x y': 'v', '123': 'n' };
    assert.deepEqual(roundTrip(v), v);
  });
});
