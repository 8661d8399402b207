import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { berthSync, repo, type BerthOptions, type Run } from '../helpers/berth-cli.js';

const example = join(repo, 'examples', 'fullstack');
const scratch = mkdtempSync(join(tmpdir(), 'berth-e2e-config-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function run(args: string[], opts: Omit<BerthOptions, 'home'> = {}): Run {
  return berthSync(args, { ...opts, home: scratch });
}

function project(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  return dir;
}

describe('berth config (CLI)', () => {
  it('renders the example project in canonical JSON', () => {
    const r = run(['--project-directory', example, 'config', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const model = JSON.parse(r.stdout) as {
      name: string;
      services: Record<string, Record<string, unknown>>;
      volumes: Record<string, { name: string }>;
      networks: Record<string, { name: string }>;
    };
    assert.equal(model.name, 'fullstack');
    assert.deepEqual(Object.keys(model.services).sort(), ['api', 'db', 'web', 'worker']);
    const web = model.services.web!;
    assert.deepEqual(web.ports, [{ mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' }]);
    assert.deepEqual(web.depends_on, { api: { condition: 'service_healthy', required: true } });
    assert.deepEqual(web.build, { context: join(example, 'web'), dockerfile: 'Dockerfile', args: { BASE_IMAGE: 'berth-busybox:latest' } });
    assert.deepEqual(web.healthcheck && (web.healthcheck as { test: unknown }).test, ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1/ || exit 1']);
    const api = model.services.api!;
    // extends from common.yaml, override file merged, .env interpolated, bare LOG_LEVEL resolved by the override.
    assert.deepEqual(api.environment, { APP_NAME: 'fullstack', DATABASE_URL: 'tcp://db:5432/app', LOG_LEVEL: 'debug', TZ: 'UTC' });
    assert.deepEqual(api.ports, [{ mode: 'ingress', host_ip: '127.0.0.1', target: 8000, published: '8000', protocol: 'tcp' }]);
    assert.equal(api.working_dir, '/srv');
    const db = model.services.db!;
    assert.deepEqual(db.volumes, [
      { type: 'volume', source: 'db-data', target: '/var/lib/db', volume: {} },
      { type: 'bind', source: join(example, 'db'), target: '/db', read_only: true, bind: { create_host_path: true } },
    ]);
    assert.deepEqual(model.services.worker!.command, ['sh', '-c', 'while true; do echo "worker: tick $(date +%s)"; sleep 5; done']);
    assert.equal(model.volumes['db-data']!.name, 'fullstack_db-data');
    assert.equal(model.networks.default!.name, 'fullstack_default');
  });

  it('enables a profile for a service named on the command line and lists services', () => {
    const all = run(['--project-directory', example, 'config', '--services']);
    assert.equal(all.stdout, 'api\ndb\nweb\nworker\n');
    const debug = run(['--project-directory', example, 'config', '--services', 'debug']);
    assert.equal(debug.code, 0, debug.stderr);
    assert.equal(debug.stdout, 'api\ndb\ndebug\n');
    const profiles = run(['--project-directory', example, 'config', '--profiles']);
    assert.equal(profiles.stdout, 'debug\n');
  });

  it('prints config hashes that ignore scale and depends_on', () => {
    const dir = project('hash', { 'compose.yaml': 'services:\n  a: {image: x, depends_on: [b]}\n  b: {image: y}\n' });
    const h1 = run(['config', '--hash', '*'], { cwd: dir });
    assert.equal(h1.code, 0, h1.stderr);
    assert.match(h1.stdout, /^a [0-9a-f]{64}\nb [0-9a-f]{64}\n$/);
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  a: {image: x, scale: 3}\n  b: {image: y}\n');
    const h2 = run(['config', '--hash', 'a'], { cwd: dir });
    assert.equal(h2.stdout, h1.stdout.split('\n')[0] + '\n');
  });

  it('reports every problem with file, line and column, and exits 1', () => {
    const dir = project('bad', {
      'compose.yaml': 'services:\n  web:\n    image: nginx\n    privileged: maybe\n    depends_on: [db]\n  api:\n    image: x\n    restrat: always\n',
    });
    const r = run(['config'], { cwd: dir });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^error: compose\.yaml:4:17: services\.web\.privileged: .*boolean/m);
    assert.match(r.stderr, /^error: compose\.yaml:8:5: .*"restrat".*did you mean "restart"/m);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  it('gives diagnostics as JSON with --format json', () => {
    const dir = project('badjson', { 'compose.yaml': 'services:\n  web:\n    image: nginx\n    depends_on: [db]\n' });
    const r = run(['config', '--format', 'json'], { cwd: dir });
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { ok: boolean; diagnostics: Array<{ severity: string; message: string; location: { line: number } }> };
    assert.equal(out.ok, false);
    const d = out.diagnostics.find((x) => x.severity === 'error');
    assert.match(d?.message ?? '', /undefined service "db"/);
    assert.equal(d?.location.line, 4);
  });

  it('reads the compose file from standard input, and validates -p', () => {
    const r = run(['-f', '-', '-p', 'stdin-demo', 'config', '--format', 'json'], { input: 'services:\n  a:\n    image: busybox\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { name: string }).name, 'stdin-demo');
    const bad = run(['-f', '-', '-p', 'Bad_Name', 'config'], { input: 'services:\n  a:\n    image: busybox\n' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid project name "Bad_Name"/);
  });

  it('writes to a file with -o and validates quietly with -q', () => {
    const out = join(scratch, 'out.yaml');
    const r = run(['--project-directory', example, 'config', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(out, 'utf8'), /^name: fullstack\n/);
    const q = run(['--project-directory', example, 'config', '-q']);
    assert.equal(q.code, 0);
    assert.equal(q.stdout, '');
  });

  it('rejects unknown flags and commands with exit code 1', () => {
    assert.equal(run(['config', '--bogus']).code, 1);
    assert.equal(run(['frobnicate']).code, 1);
    assert.equal(run(['--version']).code, 0);
  });
});
