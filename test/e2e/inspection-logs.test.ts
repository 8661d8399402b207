import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Engine } from '../../src/engine/engine.js';
import { cleanupProject, ensureBaseImage, uniqueProject } from '../helpers/docker.js';
import { connectTestEngine, forEachEngine } from '../helpers/engines.js';
import { eventually } from '../helpers/eventually.js';
import { berth as berthCli, berthProcess as berthCliProcess, type BerthOptions, type BerthProcess, type Run } from '../helpers/berth-cli.js';
import { createProjectNetwork, runService, serviceSpec } from '../helpers/service-containers.js';

forEachEngine('berth logs / exec / cp / wait (CLI)', (kind) => {
  const berth = (args: string[], opts: BerthOptions = {}): Promise<Run> => berthCli(args, { ...opts, engine: kind });
  const berthProcess = (args: string[]): BerthProcess => berthCliProcess(args, { engine: kind });
  let engine: Engine;
  const project = uniqueProject('insp-logs');
  let scratch = '';

  before(async () => {
    engine = await connectTestEngine(kind);
    await ensureBaseImage(engine);
    await createProjectNetwork(engine, project);
    scratch = await mkdtemp(join(tmpdir(), 'berth-e2e-cp-'));
    // stdout and stderr reach the daemon through separate pipes: only time orders lines across them.
    await runService(engine, serviceSpec(project, 'web', 1, ['sh', '-c', 'echo web one; sleep 0.2; echo web two >&2; sleep 300']));
    await runService(engine, serviceSpec(project, 'worker', 1, ['sh', '-c', 'echo started $(cat /proc/uptime); sleep 300']));
    await runService(engine, serviceSpec(project, 'job', 1, ['sh', '-c', 'echo job output; exit 5'], {}, true));
  });
  after(async () => {
    await cleanupProject(engine, project);
    await engine.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('logs prefixes lines with padded names, keeps order per container, skips one-offs', async () => {
    await eventually(async () => (await berth(['-p', project, 'logs', 'web'])).stdout.includes('web two'));
    const r = await berth(['-p', project, 'logs', '--no-color']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    const web = lines.filter((l) => l.startsWith('web-1 '));
    assert.deepEqual(web, ['web-1     | web one', 'web-1     | web two']);
    assert.match(lines.find((l) => l.startsWith('worker-1')) ?? '', /^worker-1 {2}\| started [\d.]+ [\d.]+$/);
    assert.equal(lines.length, 3);
    assert.equal((await berth(['-p', project, 'logs', '--no-log-prefix', '--tail', '1', 'web'])).stdout, 'web two\n');
    const ts = await berth(['-p', project, 'logs', '-t', 'web']);
    assert.match(ts.stdout, /^web-1 {2}\| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z web one\n/);
  });

  it('logs -f follows a restarted container from where it stopped and a container that appears later', async () => {
    const follower = berthProcess(['-p', project, 'logs', '-f', '--no-color', 'worker', 'late']);
    await eventually(() => follower.out().includes('started'), { message: 'first worker line' });
    await engine.restartContainer(`${project}-worker-1`, 1);
    await eventually(() => follower.out().split('\n').filter((l) => l.includes('started')).length === 2, { message: 'line after restart', timeoutMs: 15_000 });
    await runService(engine, serviceSpec(project, 'late', 1, ['sh', '-c', 'echo late arrival; sleep 300']));
    await eventually(() => follower.out().includes('late arrival'), { message: 'late container' });
    follower.kill('SIGINT');
    assert.equal(await follower.exit, 130);
    const lines = follower.out().trimEnd().split('\n');
    // Each start printed once: the re-attach after the restart did not repeat the first line.
    assert.equal(lines.filter((l) => /^worker-1 +\| started [\d.]+ [\d.]+$/.test(l)).length, 2);
    assert.ok(lines.includes('late-1    | late arrival'), follower.out());
  });

  it('exec returns the exit code and honours -e, -u, -w', async () => {
    const r = await berth(['-p', project, 'exec', '-T', '-e', 'GREETING=hi there', '-u', 'nobody', '-w', '/tmp', 'web', 'sh', '-c', 'echo "$GREETING $(id -u) $(pwd)"; exit 4']);
    assert.equal(r.stdout, 'hi there 65534 /tmp\n');
    assert.equal(r.code, 4);
    const stdin = await berth(['-p', project, 'exec', '-T', 'web', 'cat'], { input: 'from stdin\n' });
    assert.equal(stdin.stdout, 'from stdin\n');
    assert.equal(stdin.code, 0);
    const missing = await berth(['-p', project, 'exec', '--index', '2', 'web', 'true']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'error: service "web" is not running container #2\n');
  });

  it('cp copies files and directories both ways, keeping content and modes', async () => {
    const src = join(scratch, 'src');
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'a.txt'), 'alpha\n');
    await writeFile(join(src, 'sub', 'run.sh'), '#!/bin/sh\necho run\n');
    await chmod(join(src, 'sub', 'run.sh'), 0o750);
    const into = await berth(['-p', project, 'cp', src, 'web:/tmp/copied']);
    assert.equal(into.code, 0, into.stderr);
    const check = await berth(['-p', project, 'exec', '-T', 'web', 'sh', '-c', 'cat /tmp/copied/a.txt; stat -c %a /tmp/copied/sub/run.sh; /tmp/copied/sub/run.sh']);
    assert.equal(check.stdout, 'alpha\n750\nrun\n');
    const intoDir = await berth(['-p', project, 'cp', join(src, 'a.txt'), 'web:/tmp']);
    assert.equal(intoDir.code, 0, intoDir.stderr);
    assert.equal((await berth(['-p', project, 'exec', '-T', 'web', 'cat', '/tmp/a.txt'])).stdout, 'alpha\n');

    const back = join(scratch, 'back');
    const out = await berth(['-p', project, 'cp', 'web:/tmp/copied', back]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(await readFile(join(back, 'a.txt'), 'utf8'), 'alpha\n');
    assert.equal((await stat(join(back, 'sub', 'run.sh'))).mode & 0o777, 0o750);
    const file = await berth(['-p', project, 'cp', 'web:/tmp/copied/a.txt', scratch]);
    assert.equal(file.code, 0, file.stderr);
    assert.equal(await readFile(join(scratch, 'a.txt'), 'utf8'), 'alpha\n');
    const missing = await berth(['-p', project, 'cp', 'web:/nope', scratch]);
    assert.equal(missing.code, 1);
  });

  it('wait returns the exit code of the awaited container', async () => {
    await runService(engine, serviceSpec(project, 'task', 1, ['sh', '-c', 'sleep 1; exit 6']));
    const r = await berth(['-p', project, 'wait', 'task']);
    assert.equal(r.stdout, `container "${project}-task-1" exited with status code 6\n`);
    assert.equal(r.code, 6);
  });
});
