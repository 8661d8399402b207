import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticBag } from '../errors/diagnostic.js';
import { parseComposeYaml } from '../loader/parse-yaml.js';
import type { Layout } from './config-layout.js';
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

  it('writes nested sequences and multi-line strings inside sequences', () => {
    assert.equal(toYaml([[1, [2]], { a: [] }, 'x\ny']), '- - 1\n  - - 2\n- a: []\n- |-\n    x\n    y\n');
    assert.equal(toYaml({ s: [{ t: 'a\nb\n' }] }), 's:\n  - t: |\n      a\n      b\n');
    assert.equal(toYaml([]), '[]\n');
    assert.equal(toYaml({}), '{}\n');
    assert.equal(toYaml('yes'), '"yes"\n');
  });

  it('keeps long documents and text beyond Latin-1 intact', () => {
    const big: Record<string, unknown> = {};
    for (let i = 0; i < 3000; i++) big[`k${i}`] = { v: i % 2 === 0 ? `é→ ${i}` : [`x${i}`, '😀'] };
    big.lone = 'a\ud800b';
    const text = toYaml(big);
    assert.equal(text.split('\n').length, 1500 * 2 + 1500 * 4 + 2);
    assert.deepEqual(roundTrip(big), JSON.parse(JSON.stringify(big)));
    assert.ok(text.endsWith('lone: a\ud800b\n'), text.slice(-40));
  });

  it('orders and converts maps through a layout', () => {
    const sortedKeys = (map: Record<string, unknown>): string[] => Object.keys(map).sort();
    const hosts: Layout = {
      keys: sortedKeys,
      child: () => hosts,
      get item() {
        return hosts;
      },
      convert: (map) => Object.keys(map).map((k) => `${k}=${String(map[k])}`),
    };
    const sorted: Layout = {
      keys: sortedKeys,
      child: (key) => (key === 'hosts' ? hosts : sorted),
      get item() {
        return sorted;
      },
      convert: undefined,
    };
    assert.equal(toYaml({ b: 1, a: { d: [], c: {} }, hosts: { h: '1.2.3.4' } }, sorted), 'a:\n  c: {}\n  d: []\nb: 1\nhosts:\n  - h=1.2.3.4\n');
  });
});

