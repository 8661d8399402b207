import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine } from '../helpers/engines.js';
import { containersOf, projectSuite } from '../helpers/project-fixture.js';

const IMAGE = 'berth-test-busybox:latest';

/** A service block: `name` running `sh -c script`, 1 s stop grace, plus extra YAML lines. */
const svc = (name: string, script: string, ...extra: string[]): string =>
  [`  ${name}:`, `    image: ${IMAGE}`, `    command: ["sh", "-c", ${JSON.stringify(script)}]`, '    stop_grace_period: 1s', ...extra.map((l) => `    ${l}`)].join('\n');
const compose = (...services: string[]): string => `services:\n${services.join('\n')}\n`;

forEachEngine('lifecycle: attached up, --wait, optional dependencies, run attach', (engine) => {
  const suite = projectSuite(engine);
  const { project, state } = suite;

  it('up --wait returns once every service is healthy', async () => {
    const p = project('lcwait').write(compose(
      svc('db', 'sleep 1; touch /tmp/ready; sleep 3600', 'healthcheck: {test: ["CMD", "test", "-f", "/tmp/ready"], interval: 500ms, retries: 20}'),
      svc('web', 'sleep 3600'),
    ));
    await p.ok(['up', '--wait']);
    const c = await containersOf(suite.engine(), p.name);
    assert.equal(c.get(`${p.name}-db-1`)?.health, 'healthy');
    assert.equal(c.get(`${p.name}-web-1`)?.state, 'running');
  });

  it('up --wait --wait-timeout names the service that never got ready', async () => {
    const p = project('lcwaitto').write(compose(
      svc('slow', 'sleep 3600', 'healthcheck: {test: ["CMD", "false"], interval: 1s, retries: 1000}'),
      svc('quick', 'sleep 3600'),
    ));
    const r = await p.ok(['up', '--wait', '--wait-timeout', '2'], 1);
    assert.match(r.stderr, /^error: application not healthy after 2s: slow not ready$/m);
    assert.equal(await state(p, 'quick-1'), 'running', 'the ready service is left running');
  });

  it('depends_on with required: false: a failing dependency is a warning and the dependent starts', async () => {
    const p = project('lcoptional').write(compose(
      svc('init', 'exit 3'),
      svc('app', 'sleep 3600', 'depends_on: {init: {condition: service_completed_successfully, required: false}}'),
    ));
    const r = await p.ok(['up', '-d']);
    assert.match(r.stderr, /optional dependency "init" of "app" failed: service "init" didn't complete successfully: exit 3/);
    assert.equal(await state(p, 'app-1'), 'running');
  });

  it('--abort-on-container-failure returns the failing container\'s exit code and stops the others', async () => {
    const p = project('lcabortfail').write(compose(
      svc('bad', 'echo failing; sleep 1; exit 3'),
      svc('good', 'sleep 3600'),
    ));
    const r = await p.ok(['up', '--abort-on-container-failure', '-t', '1'], 3);
    assert.match(r.stdout, /^bad-1 +\| failing$/m);
    assert.match(r.stderr, /Aborting on container exit/);
    assert.equal(await state(p, 'good-1'), 'exited');
  });

  it('attached up streams prefixed, padded logs and ends when the attached containers exit', async () => {
    const p = project('lcattached').write(compose(
      svc('a', 'echo from-a; sleep 1'),
      svc('bbbb', 'echo from-b'),
    ));
    const r = await p.ok(['up']);
    assert.match(r.stdout, /^a-1 {5}\| from-a$/m);
    assert.match(r.stdout, /^bbbb-1 {2}\| from-b$/m);
    assert.equal(await state(p, 'a-1'), 'exited');
  });

  it('--abort-on-container-exit ends attached up when one container exits', async () => {
    const p = project('lcabortexit').write(compose(
      svc('once', 'echo bye'),
      svc('forever', 'sleep 3600'),
    ));
    const r = await p.ok(['up', '--abort-on-container-exit', '-t', '1']);
    assert.match(r.stdout, /^once-1 +\| bye$/m);
    assert.equal(await state(p, 'forever-1'), 'exited');
  });

  it('attached up waits only for attached containers (attach: false, --no-attach, --attach)', async () => {
    const p = project('lcattachsel').write(compose(
      svc('job', 'echo job-done; sleep 1'),
      svc('quiet', 'echo hidden; sleep 3600', 'attach: false'),
      svc('other', 'echo other-out; sleep 3600'),
    ));
    const r = await p.ok(['up', '--no-attach', 'other']);
    assert.match(r.stdout, /job-1 +\| job-done/);
    assert.doesNotMatch(r.stdout, /hidden|other-out/);
    assert.equal(await state(p, 'quiet-1'), 'running', 'an unattached service is not waited for, nor stopped');
    assert.equal(await state(p, 'other-1'), 'running');
    const only = await p.ok(['up', '--attach', 'job', '--force-recreate', '-t', '1']);
    assert.match(only.stdout, /job-1 +\| job-done/);
    assert.doesNotMatch(only.stdout, /hidden|other-out/);
  });

  it('run waits for service_healthy dependencies before starting the one-off', async () => {
    const p = project('lcrundeps').write(`${compose(
      svc('db', 'sleep 2; touch /shared/ready; sleep 3600', 'volumes: [shared:/shared]', 'healthcheck: {test: ["CMD", "test", "-f", "/shared/ready"], interval: 500ms, retries: 20}'),
      svc('tool', 'true', 'volumes: [shared:/shared]', 'depends_on: {db: {condition: service_healthy}}'),
    )}volumes:\n  shared: {}\n`);
    const r = await p.ok(['run', '--rm', 'tool', 'sh', '-c', 'test -f /shared/ready && echo saw-ready']);
    assert.match(r.stdout, /^saw-ready$/m);
    assert.equal((await containersOf(suite.engine(), p.name)).get(`${p.name}-db-1`)?.health, 'healthy');
  });

  it('run without -d attaches to the container: output even without a log driver, exit code returned', async () => {
    const p = project('lcrunattach').write(compose(svc('tool', 'true', 'logging: {driver: none}')));
    const r = await p.ok(['run', '--rm', 'tool', 'sh', '-c', 'echo to-out; echo to-err >&2; exit 4'], 4);
    assert.equal(r.stdout, 'to-out\n');
    assert.match(r.stderr, /^to-err$/m);
    assert.equal((await containersOf(suite.engine(), p.name)).size, 0, '--rm removed the one-off');
  });
});
