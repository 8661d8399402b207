import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticBag } from '../errors/diagnostic.js';
import { parseComposeYaml } from './parse-yaml.js';
import type { RawMap } from './raw.js';
import { locate, tagOf } from './raw.js';
import type { IncludeRequest } from './include.js';
import { resolveIncludes } from './include.js';

function parse(yaml: string, file: string): RawMap {
  const diags = new DiagnosticBag();
  const out = parseComposeYaml(yaml, file, diags);
  assert.deepEqual(diags.items, []);
  return out[0]!;
}

interface Result {
  doc: RawMap;
  diags: DiagnosticBag;
  requests: IncludeRequest[];
}

/** Runs resolveIncludes on /p/compose.yaml; `projects` maps an included main file to its model. */
async function run(main: string, projects: Record<string, string> = {}, chain: string[] = []): Promise<Result> {
  const diags = new DiagnosticBag();
  const requests: IncludeRequest[] = [];
  const doc = parse(main, '/p/compose.yaml');
  await resolveIncludes(doc, {
    diags,
    file: '/p/compose.yaml',
    baseDir: '/p',
    home: '/home/u',
    chain,
    loadProject(req) {
      requests.push(req);
      const text = projects[req.files[0]!];
      return Promise.resolve(text === undefined ? undefined : parse(text, req.files[0]!));
    },
  });
  return { doc, diags, requests };
}

void describe('resolveIncludes', () => {
  void it('builds requests: short form, path lists, project_directory, env_file, ~', async () => {
    const r = await run(
      'include:\n  - a/compose.yaml\n  - path: [b/compose.yaml, b/override.yaml]\n    project_directory: ./bdir\n    env_file: [b/.env, /etc/x.env]\n  - path: ~/c.yaml\n    env_file: c.env\n',
    );
    assert.deepEqual(r.diags.items, []);
    const chain = ['/p/compose.yaml'];
    const at = (line: number, col: number) => ({ file: '/p/compose.yaml', line, col });
    assert.deepEqual(r.requests, [
      { files: ['/p/a/compose.yaml'], projectDirectory: '/p/a', envFiles: [], chain, location: at(2, 5) },
      {
        files: ['/p/b/compose.yaml', '/p/b/override.yaml'],
        projectDirectory: '/p/bdir',
        envFiles: ['/p/b/.env', '/etc/x.env'],
        chain,
        location: at(3, 5),
      },
      { files: ['/home/u/c.yaml'], projectDirectory: '/home/u', envFiles: ['/p/c.env'], chain, location: at(6, 5) },
    ]);
    assert.equal('include' in r.doc, false);
  });

  void it('copies included resources and keeps their positions', async () => {
    const r = await run('include: [lib/compose.yaml]\nservices:\n  web: {image: w}\n', {
      '/p/lib/compose.yaml':
        'services:\n  db:\n    image: pg\nnetworks:\n  n: {}\nvolumes:\n  v: {}\nsecrets:\n  s: {file: /p/lib/s}\nconfigs:\n  c: {file: /p/lib/c}\nmodels:\n  m: {model: ai/x}\n',
    });
    assert.deepEqual(r.diags.items, []);
    assert.deepEqual(r.doc, {
      services: { web: { image: 'w' }, db: { image: 'pg' } },
      networks: { n: {} },
      volumes: { v: {} },
      secrets: { s: { file: '/p/lib/s' } },
      configs: { c: { file: '/p/lib/c' } },
      models: { m: { model: 'ai/x' } },
    });
    assert.deepEqual(locate(r.doc, ['services', 'db', 'image']), { file: '/p/lib/compose.yaml', line: 3, col: 12 });
  });

  void it('merges the including definition over an included one; identical ones stay as they are', async () => {
    const r = await run(
      'include: [lib/compose.yaml]\nservices:\n  db:\n    environment: {A: "2"}\n    ports: !override ["2:2"]\n  same:\n    security_opt: [x]\nnetworks:\n  n: {labels: [b=2]}\n',
      {
        '/p/lib/compose.yaml':
          'services:\n  db:\n    image: pg\n    environment: [A=1, B=1]\n    ports: ["1:1"]\n  same:\n    security_opt: [x]\nnetworks:\n  n: {driver: bridge, labels: {a: "1"}}\n',
      },
    );
    assert.deepEqual(r.diags.items, []);
    assert.deepEqual(r.doc['services'], {
      db: { image: 'pg', environment: { A: '2', B: '1' }, ports: ['2:2'] },
      same: { security_opt: ['x'] },
    });
    assert.deepEqual(r.doc['networks'], { n: { driver: 'bridge', labels: { a: '1', b: '2' } } });
    const db = (r.doc['services'] as RawMap)['db'] as RawMap;
    assert.equal(tagOf(db, 'ports'), 'override');
    assert.deepEqual(locate(r.doc, ['services', 'db', 'environment', 'A']), { file: '/p/compose.yaml', line: 4, col: 22 });
    assert.deepEqual(locate(r.doc, ['services', 'db', 'image']), { file: '/p/lib/compose.yaml', line: 3, col: 12 });
  });

  void it('detects cycles through the include chain', async () => {
    const r = await run('include:\n  - ../top/compose.yaml\n', {}, ['/top/compose.yaml', '/p/compose.yaml']);
    assert.deepEqual(
      r.diags.items.map((d) => ({ message: d.message, line: d.location?.line, path: d.path })),
      [{ message: 'include cycle detected:\n/top/compose.yaml\n include /p/compose.yaml\n include /top/compose.yaml', line: 2, path: 'include[0]' }],
    );
    assert.deepEqual(r.requests, []);
  });

  void it('builds the chain whether or not the caller ended it with the current file', async () => {
    const r = await run('include: [../top/compose.yaml]\n', {}, ['/top/compose.yaml']);
    assert.deepEqual(
      r.diags.items.map((d) => d.message),
      ['include cycle detected:\n/top/compose.yaml\n include /p/compose.yaml\n include /top/compose.yaml'],
    );
    const ok = await run('include: [a.yaml]\n', { '/p/a.yaml': 'services: {}\n' }, ['/p/compose.yaml']);
    assert.deepEqual(ok.requests.map((q) => q.chain), [['/p/compose.yaml']]);
  });

  void it('detects a file including itself', async () => {
    const r = await run('include: [compose.yaml]\n');
    assert.deepEqual(
      r.diags.items.map((d) => d.message),
      ['include cycle detected:\n/p/compose.yaml\n include /p/compose.yaml'],
    );
  });

  void it('reports malformed entries and goes on with the others', async () => {
    const r = await run('include:\n  - {project_directory: x}\n  - path: [a.yaml, 3]\n  - path: ok.yaml\n    env_file: {a: b}\n  - ok.yaml\n', {
      '/p/ok.yaml': 'services:\n  ok: {image: ok}\n',
    });
    assert.deepEqual(
      r.diags.sorted().map((d) => `${d.location?.line}: ${d.message}`),
      [
        '2: include entry must be a path or a mapping with a "path"',
        '3: include entry must be a path or a mapping with a "path"',
        '4: include "env_file" must be a path or a list of paths and "project_directory" a path',
      ],
    );
    assert.deepEqual(r.doc, { services: { ok: { image: 'ok' } } });
  });

  void it('ignores a project that could not be loaded and an empty include', async () => {
    const r = await run('include: [missing.yaml]\nservices:\n  web: {image: w}\n');
    assert.deepEqual(r.doc, { services: { web: { image: 'w' } } });
    const empty = await run('include:\nservices: {}\n');
    assert.deepEqual(empty.doc, { services: {} });
    assert.deepEqual(empty.requests, []);
  });

  void it('rejects an include that is not a list', async () => {
    const r = await run('include: lib.yaml\n');
    assert.deepEqual(
      r.diags.items.map((d) => `${d.location?.line}:${d.location?.col} ${d.path} ${d.message}`),
      ['1:10 include include must be a list'],
    );
  });
});
