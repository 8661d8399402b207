import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticBag } from '../errors/diagnostic.js';
import { parseComposeYaml } from './parse-yaml.js';
import { entryLocation, keyLocation, locate, tagOf } from './raw.js';

function parse(text: string): { docs: ReturnType<typeof parseComposeYaml>; diags: DiagnosticBag } {
  const diags = new DiagnosticBag();
  return { docs: parseComposeYaml(text, 'compose.yaml', diags), diags };
}

describe('YAML parse stage', () => {
  it('keeps the position of every value and key', () => {
    const { docs } = parse('services:\n  web:\n    image: nginx\n    privileged: maybe\n');
    const doc = docs[0]!;
    assert.deepEqual(locate(doc, ['services', 'web', 'privileged']), { file: 'compose.yaml', line: 4, col: 17 });
    const web = (doc.services as Record<string, object>).web!;
    assert.deepEqual(keyLocation(web, 'privileged'), { file: 'compose.yaml', line: 4, col: 5 });
    assert.deepEqual(entryLocation(web, 'image'), { file: 'compose.yaml', line: 3, col: 12 });
  });

  it('resolves anchors, aliases and merge keys, explicit keys winning', () => {
    const { docs, diags } = parse(
      'x-a: &a {image: a, init: true}\nx-b: &b {image: b, tty: true}\nservices:\n  web:\n    <<: [*a, *b]\n    init: false\n',
    );
    assert.equal(diags.hasErrors, false);
    assert.deepEqual((docs[0]!.services as Record<string, unknown>).web, { image: 'a', init: false, tty: true });
  });

  it('expands each alias into its own copy', () => {
    const { docs } = parse('x-env: &env {A: "1"}\nservices:\n  a: {environment: *env}\n  b: {environment: *env}\n');
    const s = docs[0]!.services as Record<string, { environment: object }>;
    assert.notEqual(s.a!.environment, s.b!.environment);
    assert.deepEqual(s.a!.environment, s.b!.environment);
  });

  it('reads YAML 1.1 octal file modes and keeps yes/no as strings', () => {
    const { docs } = parse('services:\n  web:\n    secrets: [{source: s, mode: 0440}]\n    environment: {A: yes, B: 0440}\n');
    const web = (docs[0]!.services as Record<string, { secrets: Array<{ mode: number }>; environment: object }>).web!;
    assert.equal(web.secrets[0]!.mode, 0o440);
    assert.deepEqual(web.environment, { A: 'yes', B: 440 });
  });

  it('records !reset and !override tags', () => {
    const { docs } = parse('services:\n  web:\n    ports: !reset []\n    command: !override [a]\n');
    const web = (docs[0]!.services as Record<string, object>).web!;
    assert.equal(tagOf(web, 'ports'), 'reset');
    assert.equal(tagOf(web, 'command'), 'override');
  });

  it('returns one mapping per document', () => {
    const { docs } = parse('services: {a: {image: x}}\n---\nservices: {b: {image: y}}\n');
    assert.equal(docs.length, 2);
  });

  it('reports syntax errors, duplicate keys, non-string keys and non-mapping roots with positions', () => {
    let r = parse('services:\n  web:\n    image: [a\n');
    assert.equal(r.diags.hasErrors, true);
    assert.equal(r.diags.items[0]?.location?.file, 'compose.yaml');
    r = parse('services:\n  web: {}\n  web: {}\n');
    assert.equal(r.diags.items[0]?.message, 'mapping key "web" already defined at line 2');
    assert.equal(r.diags.items[0]?.location?.line, 3);
    r = parse('services:\n  123: {image: x}\n');
    assert.equal(r.diags.items[0]?.message, 'non-string key in services: 123');
    assert.deepEqual(r.diags.items[0]?.location, { file: 'compose.yaml', line: 2, col: 3 });
    r = parse('- a\n- b\n');
    assert.equal(r.diags.items[0]?.message, 'top-level object must be a mapping');
    r = parse('');
    assert.equal(r.diags.items[0]?.message, 'empty compose file');
  });

  it('stops an alias bomb', () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 8; i++) text += `a${i}: &a${i} [*a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}]\n`;
    const { diags } = parse(text);
    assert.match(diags.items[0]?.message ?? '', /too many aliased nodes/);
  });
});
