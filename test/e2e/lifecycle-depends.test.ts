import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine } from '../helpers/engines.js';
import { containersOf, projectSuite } from '../helpers/project-fixture.js';

const healthy = (check: string): string => `
services:
  db:
    image: berth-test-busybox:latest
    command: ["sh", "-c", "echo db booting; sleep 3600"]
    stop_grace_period: 1s
    healthcheck: {test: ["CMD-SHELL", "${check}"], interval: 500ms, timeout: 1s, retries: 2}
  web:
    image: berth-test-busybox:latest
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    depends_on: {db: {condition: service_healthy}}
`;

forEachEngine('lifecycle: depends_on conditions, exit codes, run', (engine) => {
  const suite = projectSuite(engine);
  const project = suite.project;

  it('service_healthy: starts the dependent once the dependency is healthy', async () => {
    const p = project('lchealthy').write(healthy('true'));
    const r = await p.ok(['up', '-d']);
    assert.match(r.stderr, new RegExp(`Container ${p.name}-db-1  Healthy`));
    const c = await containersOf(suite.engine(), p.name);
    assert.equal(c.get(`${p.name}-db-1`)?.health, 'healthy');
    assert.equal(c.get(`${p.name}-web-1`)?.state, 'running');
  });

  it('service_healthy: fails with the unhealthy message and does not start the dependent', async () => {
    const p = project('lcunhealthy').write(healthy('false'));
    const r = await p.ok(['up', '-d'], 1);
    assert.match(r.stderr, new RegExp(`error: dependency failed to start: container ${p.name}-db-1 is unhealthy`));
    // Like docker compose, every container is created up front; the dependent is never started.
    assert.equal((await containersOf(suite.engine(), p.name)).get(`${p.name}-web-1`)?.state, 'created');
  });

  it('service_completed_successfully: waits for exit 0, fails on another code', async () => {
    const yaml = (code: number): string => `
services:
  init:
    image: berth-test-busybox:latest
    command: ["sh", "-c", "sleep 1; exit ${code}"]
  app:
    image: berth-test-busybox:latest
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    depends_on: {init: {condition: service_completed_successfully}}
`;
    const good = project('lcdone').write(yaml(0));
    await good.ok(['up', '-d']);
    const c = await containersOf(suite.engine(), good.name);
    assert.equal(c.get(`${good.name}-init-1`)?.exitCode, 0);
    assert.equal(c.get(`${good.name}-app-1`)?.state, 'running');
    const bad = project('lcfail').write(yaml(3));
    const r = await bad.ok(['up', '-d'], 1);
    assert.match(r.stderr, /error: service "init" didn't complete successfully: exit 3/);
  });

  it('--exit-code-from returns that service\'s exit code', async () => {
    const p = project('lcexit').write(`
services:
  job:
    image: berth-test-busybox:latest
    command: ["sh", "-c", "echo working; sleep 1; exit 7"]
  side:
    image: berth-test-busybox:latest
    command: ["sleep", "3600"]
    stop_grace_period: 1s
`);
    const r = await p.ok(['up', '--exit-code-from', 'job', '-t', '1'], 7);
    assert.match(r.stdout, /job-1 +\| working/);
    assert.equal((await containersOf(suite.engine(), p.name)).get(`${p.name}-side-1`)?.state, 'exited');
  });

  it('run returns the exit code, --rm removes the container, labels it one-off', async () => {
    const p = project('lcrun').write(`
services:
  tool:
    image: berth-test-busybox:latest
    command: ["true"]
    ports: ["18080:80"]
`);
    const r = await p.ok(['run', '--rm', 'tool', 'sh', '-c', 'echo out; exit 5'], 5);
    assert.match(r.stdout, /out/);
    assert.equal((await containersOf(suite.engine(), p.name)).size, 0);
    await p.ok(['run', '-d', '-e', 'X=1', 'tool', 'sleep', '30']);
    const [one] = [...(await containersOf(suite.engine(), p.name)).values()];
    assert.match(one?.name ?? '', new RegExp(`^${p.name}-tool-run-[0-9a-f]{12}$`));
    assert.equal(one?.labels['com.docker.compose.oneoff'], 'True');
    assert.ok(one?.env.includes('X=1'));
    assert.deepEqual(one?.ports.filter((x) => x.hostPort !== 0), [], 'run publishes no ports without -P');
  });
});
