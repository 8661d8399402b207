import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticBag } from '../../errors/diagnostic.js';
import { parseComposeYaml } from '../parse-yaml.js';
import { entryLocation, isDollarFree, keyLocation, selfLocation, tagOf } from '../raw.js';
import { runBoth } from './differential.js';
import { fastParseCompose } from './index.js';
import { SNIPPETS } from './snippets.js';

/**
 * Snippets the library reads without errors but the fast reader hands over to it. Listed
 * so that coverage cannot shrink silently: a snippet leaving or joining this list fails.
 */
const BAILS = new Set<string>([
  'a: [b: 1]',
  'a: {? b}',
  'a: "x"# c',
  'a: |#c\n  x',
  'a:\n  - |2\n     x',
  'a: !!str x',
  'a: !foo x',
  'a: !<tag:yaml.org,2002:str> x',
  '!reset a: 1',
  '&k a: 1',
  '__proto__: 1',
  'a:\n  __proto__: {x: 1}',
  'a: 1\n\t# c',
  'a: 1\n---\n',
  '---\n---\na: 1',
  '%YAML 1.2\n---\na: 1',
  '{a: 1}',
  'a: \u0001',
  'a: "\u0001"',
  'a: {a: b}#c',
  'a: [a\n  b]',
  'a: [!reset]',
  'a: [&x]',
  'a:\n  - &x b: 1',
  'a:\n  - !reset b: 1',
]);

describe('fast YAML reader: differential snippets', () => {
  it('matches the library on every snippet it accepts and bails exactly on the listed ones', () => {
    let same = 0;
    let rejected = 0;
    const unexpected: string[] = [];
    for (const text of SNIPPETS) {
      const r = runBoth(text); // asserts equality of values, positions and tags
      if (r.kind === 'same') {
        same++;
        if (BAILS.has(text)) unexpected.push(`now supported: ${JSON.stringify(text)}`);
      } else if (r.libraryErrors > 0) rejected++;
      else if (!BAILS.has(text)) unexpected.push(`bails (${r.reason}): ${JSON.stringify(text)}`);
    }
    assert.deepEqual(unexpected, []);
    assert.equal(same + rejected + BAILS.size, SNIPPETS.length);
    assert.ok(same >= 280, `only ${same} snippets handled by the fast path`);
  });

  it('survives seeded random edits of the snippets (bail or identical result)', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const bits = [':', '-', ' ', '#', "'", '"', '\n', '[', ']', '{', '}', ',', '&a ', '*a', '!reset ', '|', '>', '\t', '0', '\\', '- ', '\r\n'];
    let same = 0;
    for (let i = 0; i < 600; i++) {
      let t = SNIPPETS[Math.floor(rnd() * SNIPPETS.length)]!;
      const p = Math.floor(rnd() * (t.length + 1));
      t = rnd() < 0.3 ? t.slice(0, p) + t.slice(p + 1) : t.slice(0, p) + bits[Math.floor(rnd() * bits.length)]! + t.slice(p);
      if (t.includes('\\U0011')) continue; // crashes the library path (reported separately)
      if (runBoth(t).kind === 'same') same++;
    }
    assert.ok(same > 200, `fast path handled only ${same} mutated inputs`);
  });
});

describe('fast YAML reader: behaviour', () => {
  it('is what parseComposeYaml uses, with positions and tags', () => {
    const diags = new DiagnosticBag();
    const [doc] = parseComposeYaml('services:\n  web:\n    ports: !reset []\n    image: "x"\n', 'c.yaml', diags);
    const web = (doc!.services as Record<string, object>).web!;
    assert.equal(tagOf(web, 'ports'), 'reset');
    assert.deepEqual(entryLocation(web, 'image'), { file: 'c.yaml', line: 4, col: 12 });
    assert.deepEqual(keyLocation(web, 'image'), { file: 'c.yaml', line: 4, col: 5 });
    assert.deepEqual(selfLocation(web), { file: 'c.yaml', line: 3, col: 5 });
  });

  it('gives each alias its own copy and resolves merge keys', () => {
    const docs = fastParseCompose('x: &a {p: 1}\ny: &b {p: 2, q: 3}\ns:\n  u: *a\n  v: *a\n  w:\n    <<: [*a, *b]\n', 'f');
    const s = docs![0]!.s as Record<string, object>;
    assert.notEqual(s.u, s.v);
    assert.deepEqual(s.w, { p: 1, q: 3 });
  });

  it('reads file modes as YAML 1.1 octal only under `mode`, also through aliases', () => {
    const docs = fastParseCompose('a: &m 0440\nb: {mode: 0440, x: 0440}\nmode: *m\n', 'f');
    assert.deepEqual(docs, [{ a: 440, b: { mode: 0o440, x: 440 }, mode: 0o440 }]);
  });

  it('marks a container free of `$` only when no string below it can hold one', () => {
    const text = 'a: {p: 1, q: [x]}\nb: {p: "\\x24{X}"}\nc: {p: $X}\nx: &x {p: $Y}\nd:\n  <<: *x\ne:\n  - f # $ in a comment\n';
    const doc = fastParseCompose(text, 'f')![0]! as Record<string, object>;
    assert.equal(isDollarFree(doc.a!), true);
    assert.equal(isDollarFree((doc.a as Record<string, object>).q!), true);
    assert.equal(isDollarFree(doc.b!), false, 'a `$` made by an escape');
    assert.equal(isDollarFree(doc.c!), false);
    assert.equal(isDollarFree(doc.d!), false, 'a `$` brought in by an alias');
    assert.equal(isDollarFree(doc.e!), false, 'decided on the source text: a comment counts');
  });

  it('bails on errors, empty input and alias cycles so the library reports them', () => {
    for (const t of ['', '# c\n', 'a: [1\n', 'a: 1\na: 2\n', '1: x\n', 'a: *nope\n', 'a: &x [*x]\n', '- a\n']) {
      assert.equal(fastParseCompose(t, 'f'), undefined, JSON.stringify(t));
    }
  });
});
