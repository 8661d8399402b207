import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEngineError } from '../../src/engine/engine-error.js';
import { LABEL } from '../../src/model/labels.js';
import { eventually } from '../helpers/eventually.js';
import { SLEEP, containerSpec, run, withProject } from './fixture.js';
import type { MakeEngine } from './fixture.js';

export function lifecycleContract(engineName: string, makeEngine: MakeEngine): void {
  describe(`${engineName} engine: container lifecycle`, { concurrency: true }, () => {
    it('reports its name, version and capabilities', async () => {
      const engine = await makeEngine();
      const info = await engine.info();
      assert.equal(info.name, engineName);
      assert.notEqual(info.version, '');
      assert.equal(info.os, 'linux');
      assert.equal(typeof info.capabilities.exec, 'boolean');
      await engine.close();
    });

    it('creates, starts, lists by label, restarts, renames, pauses, stops and removes', async () => {
      await withProject(makeEngine, 'life', async (engine, project) => {
        const spec = containerSpec(project, 'web', { env: ['A=1', 'B=two words'], command: SLEEP, labels: { [LABEL.project]: project, [LABEL.service]: 'web', 'x.test': 'yes' } });
        const id = await engine.createContainer(spec);
        let d = await engine.inspectContainer(id);
        assert.equal(d.state, 'created');
        assert.equal(d.name, spec.name);
        assert.ok(d.env.includes('A=1') && d.env.includes('B=two words'));
        assert.equal(d.labels['x.test'], 'yes');

        const byLabel = { [LABEL.project]: project };
        assert.deepEqual((await engine.listContainers({ all: false, labels: byLabel })).map((c) => c.id), []);
        const all = await engine.listContainers({ all: true, labels: byLabel });
        assert.deepEqual(all.map((c) => [c.id, c.name, c.state]), [[id, spec.name, 'created']]);
        assert.deepEqual(await engine.listContainers({ all: true, labels: { [LABEL.project]: `${project}-other` } }), []);
        assert.deepEqual((await engine.listContainers({ all: true, labels: { 'x.test': undefined, [LABEL.project]: project } })).map((c) => c.id), [id]);

        await engine.startContainer(id);
        await engine.startContainer(id); // already running: no error
        d = await engine.inspectContainer(id);
        assert.equal(d.state, 'running');
        assert.ok(d.startedAt !== undefined && d.pid !== undefined && d.pid > 0);
        const running = await engine.listContainers({ all: false, labels: byLabel });
        assert.deepEqual(running.map((c) => c.state), ['running']);

        const firstStart = d.startedAt;
        await engine.restartContainer(id, 1);
        d = await engine.inspectContainer(id);
        assert.equal(d.state, 'running');
        assert.notEqual(d.startedAt, firstStart);

        await engine.renameContainer(id, `${project}-renamed`);
        assert.equal((await engine.inspectContainer(`${project}-renamed`)).id, id);

        await engine.pauseContainer(id);
        assert.equal((await engine.inspectContainer(id)).state, 'paused');
        await engine.unpauseContainer(id);
        assert.equal((await engine.inspectContainer(id)).state, 'running');

        const top = await engine.top(id);
        assert.ok(top.titles.length > 0);
        assert.ok(top.processes.some((p) => p.join(' ').includes('sleep 300')), JSON.stringify(top.processes));

        await engine.stopContainer(id, 5);
        d = await engine.inspectContainer(id);
        assert.equal(d.state, 'exited');
        assert.equal(d.exitCode, 0);
        assert.ok(d.finishedAt !== undefined);
        await engine.stopContainer(id, 1); // already stopped: no error

        await engine.removeContainer(id, { force: false, volumes: true });
        await assert.rejects(engine.inspectContainer(id), (err) => isEngineError(err, 'not-found'));
      });
    });

    it('stops with the stop signal and kills after the grace period', async () => {
      await withProject(makeEngine, 'stop', async (engine, project) => {
        // Exits 7 on SIGUSR1 only: proves the configured stop signal was sent.
        const graceful = await run(engine, containerSpec(project, 'graceful', {
          command: ['sh', '-c', 'trap "exit 7" USR1; sleep 300 & wait'], stopSignal: 'SIGUSR1', stopTimeoutSeconds: 10,
        }));
        // PID 1 without a handler ignores SIGTERM, so only the kill after the grace period ends it.
        const stubborn = await run(engine, containerSpec(project, 'stubborn', { command: ['sleep', '300'] }));
        await eventually(async () => (await engine.top(graceful)).processes.some((p) => p.join(' ').includes('sleep')));
        const started = Date.now();
        await Promise.all([engine.stopContainer(graceful), engine.stopContainer(stubborn, 1)]);
        assert.equal((await engine.inspectContainer(graceful)).exitCode, 7);
        const d = await engine.inspectContainer(stubborn);
        assert.equal(d.exitCode, 137);
        assert.ok(Date.now() - started >= 900, 'the stubborn container got its grace period');
      });
    });

    it('kills with a signal and waits for the exit code', async () => {
      await withProject(makeEngine, 'kill', async (engine, project) => {
        const id = await run(engine, containerSpec(project, 'k', { command: ['sh', '-c', 'trap "exit 9" HUP; sleep 300 & wait'] }));
        const waited = engine.waitContainer(id);
        await eventually(async () => (await engine.top(id)).processes.some((p) => p.join(' ').includes('sleep')));
        await engine.killContainer(id, 'SIGHUP');
        assert.equal(await waited, 9);
        const k2 = await run(engine, containerSpec(project, 'k2', { command: ['sleep', '300'] }));
        await engine.killContainer(k2);
        assert.equal(await engine.waitContainer(k2), 137);
        const exits = await run(engine, containerSpec(project, 'exit3', { command: ['sh', '-c', 'exit 3'] }));
        assert.equal(await engine.waitContainer(exits), 3);
        assert.equal((await engine.inspectContainer(exits)).exitCode, 3);
        await assert.rejects(engine.killContainer(exits), (err) => isEngineError(err) && err.kind !== 'not-found');
      });
    });

    it('classifies errors by kind with the operation and resource', async () => {
      await withProject(makeEngine, 'errs', async (engine, project) => {
        await assert.rejects(engine.inspectContainer(`${project}-missing`), (err) => {
          assert.ok(isEngineError(err, 'not-found'));
          assert.equal(err.resource, `${project}-missing`);
          assert.match(err.message, new RegExp(`^inspect container ${project}-missing: `));
          return true;
        });
        await engine.createContainer(containerSpec(project, 'dup', { command: ['true'] }));
        await assert.rejects(engine.createContainer(containerSpec(project, 'dup', { command: ['true'] })), (err) => {
          assert.ok(isEngineError(err, 'conflict'));
          assert.equal(err.operation, 'create container');
          assert.equal(err.resource, `${project}-dup`);
          return true;
        });
        await assert.rejects(engine.startContainer(`${project}-missing`), (err) => isEngineError(err, 'not-found'));
        await assert.rejects(engine.removeNetwork(`${project}-missing`), (err) => isEngineError(err, 'not-found'));
        await assert.rejects(engine.inspectVolume(`${project}-missing`), (err) => isEngineError(err, 'not-found'));
        assert.equal(await engine.inspectImage(`${project}-missing:latest`), undefined);
      });
    });

    it('reports health: healthy, then unhealthy with the probe log', async () => {
      await withProject(makeEngine, 'health', async (engine, project) => {
        const healthy = await run(engine, containerSpec(project, 'ok', {
          command: SLEEP, healthcheck: { test: ['CMD-SHELL', 'echo probing; true'], intervalMs: 200, timeoutMs: 2000, retries: 1 },
        }));
        const sick = await run(engine, containerSpec(project, 'sick', {
          command: SLEEP, healthcheck: { test: ['CMD', 'false'], intervalMs: 200, timeoutMs: 2000, retries: 1 },
        }));
        const h = await eventually(async () => {
          const d = await engine.inspectContainer(healthy);
          return d.health === 'healthy' ? d : undefined;
        });
        assert.ok(h.healthLog !== undefined && h.healthLog.some((e) => e.exitCode === 0 && e.output === 'probing\n'));
        const s = await eventually(async () => {
          const d = await engine.inspectContainer(sick);
          return d.health === 'unhealthy' ? d : undefined;
        });
        assert.ok(s.healthLog !== undefined && s.healthLog.every((e) => e.exitCode === 1));
        const listed = await engine.listContainers({ all: false, labels: { [LABEL.project]: project } });
        assert.deepEqual(listed.map((c) => [c.name, c.health]), [[`${project}-ok`, 'healthy'], [`${project}-sick`, 'unhealthy']]);
      });
    });
  });
}
