import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticBag } from '../errors/diagnostic.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { parseComposeYaml } from './parse-yaml.js';
import type { RawMap } from './raw.js';
import { isRawMap, locate, tagOf } from './raw.js';
import { resolveExtends } from './extends.js';
import { mergeModels } from './merge.js';

interface Harness {
  doc: RawMap;
  diags: DiagnosticBag;
  loads: string[];
  rebases: Array<{ service: string; dir: string }>;
  loaded: Map<string, RawMap>;
}

function parse(yaml: string, file: string): RawMap {
  const diags = new DiagnosticBag();
  const out = parseComposeYaml(yaml, file, diags);
  assert.deepEqual(diags.items, []);
  return out[0]!;
}

/**
 * Runs resolveExtends on /p/compose.yaml. `files` are other files by absolute path. The
 * fake rebase makes `build` absolute against the given dir, as the real one would.
 */
function run(main: string, files: Record<string, string> = {}): Harness {
  const diags = new DiagnosticBag();
  const loads: string[] = [];
  const rebases: Array<{ service: string; dir: string }> = [];
  const cache = new Map<string, RawMap>();
  const doc = parse(main, '/p/compose.yaml');
  resolveExtends(doc, {
    diags,
    file: '/p/compose.yaml',
    baseDir: '/p',
    loadFile(path) {
      loads.push(path);
      const text = files[path];
      if (text === undefined) return undefined;
      const cached = cache.get(path) ?? parse(text, path);
      cache.set(path, cached);
      return cached;
    },
    rebaseService(service, dir) {
      rebases.push({ service: JSON.stringify(service), dir });
      const b = service['build'];
      if (typeof b === 'string' && !b.startsWith('/')) service['build'] = `${dir}/${b}`;
    },
  });
  return { doc, diags, loads, rebases, loaded: cache };
}

function svc(doc: RawMap, name: string): RawMap {
  const services = doc['services'];
  assert.ok(isRawMap(services));
  const s = services[name];
  assert.ok(isRawMap(s));
  return s;
}

function messages(items: readonly Diagnostic[]): Array<{ message: string; line: number | undefined; path: string | undefined }> {
  return items.map((d) => ({ message: d.message, line: d.location?.line, path: d.path }));
}

void describe('resolveExtends', () => {
  void it('extends a service of the same file (string and mapping forms)', () => {
    const h = run(
      'services:\n  base:\n    image: a\n    ports: ["80:80"]\n    environment: [A=1]\n  web:\n    extends: base\n    ports: ["81:81"]\n    environment: {B: "2"}\n  api:\n    extends: {service: base}\n    command: x\n',
    );
    assert.deepEqual(h.diags.items, []);
    assert.deepEqual(svc(h.doc, 'web'), { image: 'a', ports: ['80:80', '81:81'], environment: { A: '1', B: '2' } });
    assert.deepEqual(svc(h.doc, 'api'), { image: 'a', ports: ['80:80'], environment: ['A=1'], command: 'x' });
    assert.deepEqual(svc(h.doc, 'base'), { image: 'a', ports: ['80:80'], environment: ['A=1'] });
    assert.deepEqual(h.rebases, []);
  });

  void it('resolves chains and keeps positions of both files', () => {
    const h = run('services:\n  web:\n    extends: mid\n    user: root\n  mid:\n    extends: {service: base, file: lib/base.yml}\n    image: b\n', {
      '/p/lib/base.yml': 'services:\n  base:\n    image: a\n    build: ./ctx\n    cap_add: [NET_ADMIN]\n',
    });
    assert.deepEqual(h.diags.items, []);
    assert.deepEqual(svc(h.doc, 'web'), { image: 'b', build: '/p/lib/./ctx', cap_add: ['NET_ADMIN'], user: 'root' });
    assert.deepEqual(svc(h.doc, 'mid'), { image: 'b', build: '/p/lib/./ctx', cap_add: ['NET_ADMIN'] });
    assert.deepEqual(h.loads, ['/p/lib/base.yml']);
    assert.deepEqual(
      h.rebases.map((r) => r.dir),
      ['/p/lib'],
    );
    assert.deepEqual(locate(h.doc, ['services', 'web', 'cap_add', 0]), { file: '/p/lib/base.yml', line: 5, col: 15 });
    assert.deepEqual(locate(h.doc, ['services', 'web', 'user']), { file: '/p/compose.yaml', line: 4, col: 11 });
  });

  void it('resolves extends inside another file against that file, rebasing only across directories', () => {
    const h = run('services:\n  web:\n    extends: {service: a, file: other/a.yml}\n', {
      '/p/other/a.yml': 'services:\n  a:\n    extends: {service: b, file: sub/b.yml}\n    build: ./a\n  c:\n    image: c\n',
      '/p/other/sub/b.yml': 'services:\n  b:\n    extends: c2\n    environment: {B: "1"}\n  c2:\n    extends: {service: c, file: ../a.yml}\n',
    });
    assert.deepEqual(h.diags.items, []);
    assert.deepEqual(svc(h.doc, 'web'), { image: 'c', environment: { B: '1' }, build: '/p/other/./a' });
    // c (other/) rebased for b's file, b rebased for a's file, a rebased for the main file.
    assert.deepEqual(
      h.rebases.map((r) => r.dir),
      ['/p/other', '/p/other/sub', '/p/other'],
    );
  });

  void it('does not rebase a service from a file in the same directory', () => {
    const files = { '/p/b.yml': 'services:\n  b:\n    build: ./x\n    ports: ["1:1"]\n' };
    const h = run('services:\n  web:\n    extends: {service: b, file: b.yml}\n    ports: ["2:2"]\n', files);
    assert.deepEqual(svc(h.doc, 'web'), { build: './x', ports: ['1:1', '2:2'] });
    assert.deepEqual(h.rebases, []);
  });

  void it('does not mutate the documents returned by loadFile, and loads each file once', () => {
    const files = { '/q/b.yml': 'services:\n  b:\n    build: ./x\n' };
    const h = run('services:\n  web:\n    extends: {service: b, file: /q/b.yml}\n  api:\n    extends: {service: b, file: ../q/b.yml}\n', files);
    assert.deepEqual(svc(h.doc, 'web'), { build: '/q/./x' });
    assert.deepEqual(svc(h.doc, 'api'), { build: '/q/./x' });
    assert.deepEqual(h.loaded.get('/q/b.yml'), { services: { b: { build: './x' } } });
    assert.deepEqual(h.loads, ['/q/b.yml']);
  });

  void it('applies !reset and !override of the extending service to the base and keeps them for the file merge', () => {
    const h = run(
      'services:\n  base:\n    image: a\n    ports: ["80:80"]\n    environment: {A: "1", B: "2"}\n  web:\n    extends: base\n    ports: !override ["81:81"]\n    environment:\n      A: !reset null\n',
    );
    const w = svc(h.doc, 'web');
    // The value under !reset is ignored (the parser reads the tagged `null` as a string).
    assert.deepEqual(w, { image: 'a', ports: ['81:81'], environment: { A: 'null', B: '2' } });
    assert.equal(tagOf(w['environment'] as RawMap, 'A'), 'reset');
    assert.equal(tagOf(w, 'ports'), 'override');
    const earlier = parse('services:\n  web:\n    ports: ["1:1"]\n    environment: {A: x}\n', '/p/first.yaml');
    const merged = mergeModels(earlier, h.doc, new DiagnosticBag());
    assert.deepEqual(svc(merged, 'web'), { image: 'a', ports: ['81:81'], environment: { B: '2' } });
  });

  void it('reports a cycle once, with the whole chain', () => {
    const h = run('services:\n  a:\n    extends: b\n  b:\n    extends: {service: a, file: ./compose.yaml}\n');
    assert.deepEqual(messages(h.diags.items), [
      {
        message: 'Circular reference:\n  a in compose.yaml\n  extends b in compose.yaml\n  extends a in compose.yaml',
        line: 5,
        path: 'services.b.extends',
      },
    ]);
  });

  void it('reports a service extending itself', () => {
    const h = run('services:\n  a:\n    extends: a\n');
    assert.deepEqual(messages(h.diags.items), [
      { message: 'Circular reference:\n  a in compose.yaml\n  extends a in compose.yaml', line: 3, path: 'services.a.extends' },
    ]);
  });

  void it('reports a missing service, in this file or another', () => {
    const h = run('services:\n  web:\n    extends: nope\n  api:\n    extends: {service: x, file: lib/o.yml}\n', {
      '/p/lib/o.yml': 'services:\n  y: {image: y}\n',
    });
    assert.deepEqual(messages(h.diags.sorted()), [
      { message: 'cannot extend service "web" in compose.yaml: service "nope" not found', line: 3, path: 'services.web.extends' },
      { message: 'cannot extend service "api" in lib/o.yml: service "x" not found', line: 5, path: 'services.api.extends' },
    ].sort((a, b) => a.line - b.line));
    assert.equal(svc(h.doc, 'web')['extends'], 'nope');
  });

  void it('reports a missing file and a malformed extends', () => {
    const h = run('services:\n  web:\n    extends: {service: x, file: /elsewhere/gone.yml}\n  api:\n    extends: {file: a.yml}\n');
    assert.deepEqual(messages(h.diags.sorted()), [
      { message: 'cannot extend service "web": cannot read file /elsewhere/gone.yml', line: 3, path: 'services.web.extends' },
      { message: 'extends must be a service name or a mapping with a "service" string', line: 5, path: 'services.api.extends' },
    ]);
  });

  void it('does not import networks or volumes of the extended file', () => {
    const h = run('services:\n  web:\n    extends: {service: b, file: b.yml}\n', {
      '/p/b.yml': 'services:\n  b:\n    networks: [n]\nnetworks:\n  n: {}\nvolumes:\n  v: {}\n',
    });
    assert.deepEqual(h.doc, { services: { web: { networks: ['n'] } } });
  });
});
