import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine } from '../helpers/engines.js';
import { eventually } from '../helpers/eventually.js';
import { containersOf, projectSuite } from '../helpers/project-fixture.js';

const twoServices = `
services:
  a:
    image: berth-test-busybox:latest
    command: ["sleep", "3600"]
    stop_grace_period: 1s
  b:
    image: berth-test-busybox:latest
    command: ["sleep", "3600"]
    stop_grace_period: 1s
`;

forEachEngine('lifecycle: states, build, orphans, concurrency', (engine) => {
  const suite = projectSuite(engine);
  const { project, state } = suite;

  it('stop, start, restart, kill, pause, unpause, rm', async () => {
    const p = project('lcstate').write(twoServices);
    await p.ok(['up', '-d']);
    await p.ok(['stop', '-t', '1', 'a']);
    assert.equal(await state(p, 'a-1'), 'exited');
    assert.equal(await state(p, 'b-1'), 'running');
    await p.ok(['start', 'a']);
    assert.equal(await state(p, 'a-1'), 'running');
    const started = (await containersOf(suite.engine(), p.name)).get(`${p.name}-b-1`)!.startedAt;
    await p.ok(['restart', '-t', '1', 'b']);
    assert.notEqual((await containersOf(suite.engine(), p.name)).get(`${p.name}-b-1`)!.startedAt, started);
    await p.ok(['pause', 'a']);
    assert.equal(await state(p, 'a-1'), 'paused');
    await p.ok(['unpause', 'a']);
    assert.equal(await state(p, 'a-1'), 'running');
    await p.ok(['kill', 'b']);
    await eventually(async () => (await state(p, 'b-1')) === 'exited');
    await p.ok(['rm', '-f']);
    assert.deepEqual([...(await containersOf(suite.engine(), p.name)).keys()], [`${p.name}-a-1`], 'rm removes stopped containers only');
  });

  it('builds from a local Dockerfile and up runs the built image', async () => {
    const p = project('lcbuild').write(`
services:
  app:
    build: {context: ., args: {GREETING: hi}}
    command: ["sleep", "3600"]
    stop_grace_period: 1s
`);
    writeFileSync(join(p.dir, 'Dockerfile'), 'FROM berth-test-busybox:latest\nARG GREETING\nRUN echo "$GREETING" > /greeting\n');
    await p.ok(['build']);
    const image = await suite.engine().inspectImage(`${p.name}-app`);
    assert.ok(image !== undefined);
    assert.equal(image.labels['com.docker.compose.service'], 'app');
    await p.ok(['up', '-d']);
    const c = (await containersOf(suite.engine(), p.name)).get(`${p.name}-app-1`)!;
    assert.equal(c.imageId, image.id);
    assert.equal(c.labels['com.docker.compose.image'], image.id);
  });

  it('warns about orphans and removes them with --remove-orphans', async () => {
    const p = project('lcorphan').write(twoServices);
    await p.ok(['up', '-d']);
    p.write(twoServices.replace(/ {2}b:\n(?: {4}.*\n)+/, ''));
    const warned = await p.ok(['up', '-d']);
    assert.match(warned.stderr, new RegExp(`Found orphan containers \\(${p.name}-b-1\\) for this project`));
    await p.ok(['up', '-d', '--remove-orphans', '-t', '1']);
    assert.deepEqual([...(await containersOf(suite.engine(), p.name)).keys()], [`${p.name}-a-1`]);
  });

  it('two concurrent ups converge to one set of containers', async () => {
    const p = project('lcconc').write(twoServices);
    const [r1, r2] = await Promise.all([p.run('up', '-d'), p.run('up', '-d')]);
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual([...(await containersOf(suite.engine(), p.name)).keys()].sort(), [`${p.name}-a-1`, `${p.name}-b-1`]);
  });

  it('an up killed mid-way is converged by the next up', async () => {
    const p = project('lckill').write(`
services:
  slow:
    image: berth-test-busybox:latest
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    healthcheck: {test: ["CMD", "sh", "-c", "sleep 1"], interval: 1s, retries: 3}
  after:
    image: berth-test-busybox:latest
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    depends_on: {slow: {condition: service_healthy}}
`);
    const running = p.spawn(['up', '-d']);
    await eventually(async () => (await state(p, 'slow-1')) === 'running', { timeoutMs: 15_000 });
    running.kill('SIGKILL');
    await running.done;
    await p.ok(['up', '-d']);
    const c = await containersOf(suite.engine(), p.name);
    assert.deepEqual([...c.keys()].sort(), [`${p.name}-after-1`, `${p.name}-slow-1`]);
    assert.equal(c.get(`${p.name}-after-1`)?.state, 'running');
  });
});
