/**
 * What only the embedded engine has to do itself: supervise containers between berth commands
 * (restart policies, healthchecks), and repair its state after crashes and reboots.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isEngineError } from '../../src/engine/engine-error.js';
import { containerPaths, embeddedPaths } from '../../src/engine/embedded/paths.js';
import { ContainerStore } from '../../src/engine/embedded/state/container-store.js';
import { Core } from '../../src/engine/embedded/core.js';
import { processAlive } from '../../src/engine/embedded/image/store-lock.js';
import { startContainer } from '../../src/engine/embedded/container-start.js';
import { createRuntime } from '../../src/engine/embedded/container-bundle.js';
import { SLEEP, containerSpec, run, withProject } from '../contract/fixture.js';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { repo } from '../helpers/berth-cli.js';
import { TEST_ROOT, testEmbeddedEngine } from '../helpers/embedded.js';
import { eventually } from '../helpers/eventually.js';
import { LABEL } from '../../src/model/labels.js';
import { uniqueProject } from '../helpers/docker.js';

const paths = embeddedPaths(TEST_ROOT);
const execFileP = promisify(execFile);

/** `berth --engine embedded -p project …` on the test root; resolves with its exit code and stderr. */
async function berthEmbedded(cwd: string, project: string, args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const r = await execFileP(process.execPath, [join(repo, 'bin', 'berth'), '--engine', 'embedded', '-p', project, '--progress', 'quiet', ...args], {
      cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, BERTH_ROOT: TEST_ROOT },
    });
    return { code: 0, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stderr: e.stderr ?? String(err) };
  }
}
const store = new ContainerStore(paths);

async function netnsOf(id: string): Promise<string[]> {
  const names = await readdir('/run/netns').catch(() => [] as string[]);
  return names.filter((n) => n.endsWith(`-${id.slice(0, 12)}`));
}

describe('embedded engine: supervision and recovery', { concurrency: true }, () => {
  it('restarts on failure up to the limit, with nothing but the monitor running', async () => {
    await withProject(testEmbeddedEngine, 'restart', async (engine, project) => {
      const id = await run(engine, containerSpec(project, 'flaky', { command: ['sh', '-c', 'echo run; exit 3'], restartPolicy: { name: 'on-failure', maximumRetryCount: 2 } }));
      // The test never starts it again: restarts come from the monitor process.
      const done = await eventually(async () => {
        const st = await store.readState(id);
        return st.status === 'exited' && st.restartCount === 2 ? st : undefined;
      }, { timeoutMs: 15_000 });
      assert.equal(done.exitCode, 3);
      const lines: string[] = [];
      for await (const l of engine.logs(id, { follow: false, timestamps: false })) lines.push(l.text);
      assert.deepEqual(lines, ['run', 'run', 'run']);
    });
  });

  it('restarts an `always` container whose process was killed behind its back', async () => {
    await withProject(testEmbeddedEngine, 'always', async (engine, project) => {
      const id = await run(engine, containerSpec(project, 'svc', { command: SLEEP, restartPolicy: { name: 'always' } }));
      const first = await engine.inspectContainer(id);
      process.kill(first.pid!, 'SIGKILL');
      const again = await eventually(async () => {
        const d = await engine.inspectContainer(id);
        return d.state === 'running' && d.restartCount === 1 && d.pid !== first.pid ? d : undefined;
      }, { timeoutMs: 15_000 });
      assert.notEqual(again.startedAt, first.startedAt);
      // A user's stop is final, whatever the policy.
      await engine.stopContainer(id, 1);
      await new Promise((r) => setTimeout(r, 700));
      assert.equal((await engine.inspectContainer(id)).state, 'exited');
    });
  });

  it('counts a policy restart once, however many monitors attempt it at once', async () => {
    await withProject(testEmbeddedEngine, 'restartonce', async (engine, project) => {
      const id = await engine.createContainer(containerSpec(project, 'svc', { command: SLEEP, restartPolicy: { name: 'always' } }));
      // What the reaper leaves for the monitor: `restarting`, its back-off elapsed.
      await store.update(id, (s) => ({ ...s, status: 'restarting', restartAt: Date.now() }));
      const core = await Core.open({ root: TEST_ROOT, ...(process.env.PATH !== undefined ? { pathEnv: process.env.PATH } : {}) });
      await Promise.all([1, 2, 3].map(() => startContainer(core, id, { policyRestart: true })));
      const d = await engine.inspectContainer(id);
      assert.equal(d.state, 'running');
      assert.equal(d.restartCount, 1);
    });
  });

  it('adopts a restart whose process ran before the monitor that started it could record it', async () => {
    await withProject(testEmbeddedEngine, 'adopt', async (engine, project) => {
      const id = await engine.createContainer(containerSpec(project, 'once', {
        command: ['sh', '-c', 'echo ran; exit 5'], restartPolicy: { name: 'on-failure', maximumRetryCount: 1 },
      }));
      const core = await Core.open({ root: TEST_ROOT, ...(process.env.PATH !== undefined ? { pathEnv: process.env.PATH } : {}) });
      // What a monitor killed right after the runtime start leaves: the restart's runtime
      // recorded as starting, the process run (and exited), the state still `restarting`.
      const record = (await store.get(id, 'test')).record;
      const launched = await createRuntime(core, { record, state: await store.readState(id) }, false);
      const bootId = await core.bootId();
      await store.update(id, (s) => ({
        ...s, status: 'restarting', restartAt: Date.now() + 60_000,
        prepared: { pid: launched.pid, conmonPid: launched.conmonPid, bootId, endpoint: launched.endpoint, startingAt: new Date().toISOString() },
      }));
      await (await core.runtime()).start(id);
      await eventually(() => existsSync(join(containerPaths(paths, id).exitDir, id)));
      await store.update(id, (s) => ({ ...s, restartAt: Date.now() }));
      await startContainer(core, id, { policyRestart: true });
      // Counted once, not run again; its exit is then reaped and the policy's limit applies.
      const done = await eventually(async () => {
        const d = await engine.inspectContainer(id);
        return d.state === 'exited' ? d : undefined;
      });
      assert.equal(done.restartCount, 1);
      assert.equal(done.exitCode, 5);
      const lines: string[] = [];
      for await (const l of engine.logs(id, { follow: false, timestamps: false })) lines.push(l.text);
      assert.deepEqual(lines, ['ran']);
    });
  });

  it('loses no restart and counts none twice when the monitor is killed in the middle of one', async () => {
    await withProject(testEmbeddedEngine, 'monkill', async (engine, project) => {
      const pidFile = join(paths.run, 'monitor.pid');
      for (let round = 0; round < 6; round++) {
        const id = await run(engine, containerSpec(project, `svc${round}`, { command: SLEEP, restartPolicy: { name: 'always' } }));
        const first = await engine.inspectContainer(id);
        process.kill(first.pid!, 'SIGKILL');
        // The first restart comes 100 ms after the exit is seen: kill the monitor around then.
        await new Promise((r) => setTimeout(r, 60 + round * 40));
        const monitor = parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
        try {
          if (monitor > 0) process.kill(monitor, 'SIGKILL');
        } catch {
          // It exited by itself meanwhile.
        }
        // The next command that looks at containers brings a monitor back.
        await engine.listContainers({ all: true, labels: { [LABEL.project]: project } });
        const again = await eventually(async () => {
          const d = await engine.inspectContainer(id);
          return d.state === 'running' && d.pid !== first.pid ? d : undefined;
        }, { timeoutMs: 15_000 }).catch(async (err: unknown) => {
          const monitorLog = (await readFile(join(TEST_ROOT, 'monitor.log'), 'utf8').catch(() => '')).split('\n').slice(-8).join('\n');
          throw new Error(`round ${round}: not restarted; state ${JSON.stringify(await store.readState(id))}; monitor log:\n${monitorLog}`, { cause: err });
        });
        assert.equal(again.restartCount, 1, `round ${round}`);
        await engine.removeContainer(id, { force: true, volumes: true });
      }
    });
  });

  it('starts a container whose previous start was killed at any point of the way', async () => {
    await withProject(testEmbeddedEngine, 'killstart', async (engine, project) => {
      const modules = (name: string): string => JSON.stringify(new URL(`../../src/engine/embedded/${name}`, import.meta.url).href);
      // A berth process that gets everything ready, says so, then starts the container.
      const script = [
        `const { Core } = await import(${modules('core.js')});`,
        `const { startContainer } = await import(${modules('container-start.js')});`,
        'const core = await Core.open({ root: process.argv[1], pathEnv: process.env.PATH });',
        'await core.runtime(); await core.bootId();',
        "process.stdout.write('go\\n');",
        'await startContainer(core, process.argv[2]);',
        'process.exit(0);',
      ].join('\n');
      for (let round = 0; round < 10; round++) {
        const id = await engine.createContainer(containerSpec(project, `svc${round}`, { command: SLEEP }));
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, TEST_ROOT, id], { stdio: ['ignore', 'pipe', 'ignore'] });
        const closed = new Promise((r) => child.on('close', r));
        await new Promise<void>((resolve) => {
          child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('go')) resolve(); });
          child.on('exit', () => resolve());
        });
        // Spread over the whole start: root file system, network, conmon launch, runtime start.
        await new Promise((r) => setTimeout(r, round * 12));
        child.kill('SIGKILL');
        await closed;
        await engine.startContainer(id);
        const d = await engine.inspectContainer(id);
        assert.equal(d.state, 'running', `round ${round}`);
        assert.equal((await engine.exec(id, { command: ['true'] })).exitCode, 0, `round ${round}`);
        await engine.removeContainer(id, { force: true, volumes: true });
      }
    });
  });

  it('runs healthchecks after the berth command that started the container has exited', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-health-'));
    const project = uniqueProject('bghealth');
    try {
      await writeFile(join(dir, 'compose.yaml'), [
        'services:',
        '  app:',
        '    image: berth-test-busybox:latest',
        '    command: ["sh", "-c", "sleep 1; touch /tmp/ready; exec sleep 300"]',
        '    init: true',
        '    healthcheck: {test: ["CMD", "test", "-e", "/tmp/ready"], interval: 300ms, retries: 50}',
        '',
      ].join('\n'));
      const up = await berthEmbedded(dir, project, ['up', '-d']);
      assert.equal(up.code, 0, up.stderr);
      const id = (await store.list()).find((c) => c.record.spec.labels[LABEL.project] === project)?.record.id;
      assert.ok(id !== undefined);
      // Read the state file directly: no berth code runs in between that could probe.
      assert.equal((await store.readState(id)).health?.status, 'starting');
      const healthy = await eventually(async () => {
        const st = await store.readState(id);
        return st.health?.status === 'healthy' ? st : undefined;
      }, { timeoutMs: 15_000 });
      assert.ok(healthy.health!.log.some((e) => e.exitCode === 0));
    } finally {
      await berthEmbedded(dir, project, ['down', '-v', '-t', '1']);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('brings a killed monitor back with the next command that looks at containers', async () => {
    await withProject(testEmbeddedEngine, 'monitor', async (engine, project) => {
      const id = await run(engine, containerSpec(project, 'db', {
        command: SLEEP, healthcheck: { test: ['CMD', 'test', '-e', '/tmp/ok'], intervalMs: 200, retries: 1000 },
      }));
      const pidFile = join(paths.run, 'monitor.pid');
      // Other tests here kill monitors too: wait for the live one that this start made sure of.
      const monitor = await eventually(async () => {
        const pid = parseInt(await readFile(pidFile, 'utf8'), 10);
        return processAlive(pid) ? pid : undefined;
      });
      process.kill(monitor, 'SIGKILL');
      await eventually(() => !existsSync(`/proc/${monitor}`));
      assert.equal((await engine.exec(id, { command: ['touch', '/tmp/ok'] })).exitCode, 0);
      await engine.listContainers({ all: false, labels: { [LABEL.project]: project } });
      const st = await eventually(async () => {
        const s2 = await store.readState(id);
        return s2.health?.status === 'healthy' ? s2 : undefined;
      }, { timeoutMs: 15_000 });
      assert.equal(st.status, 'running');
      // A monitor other than the killed one runs (its pid file may be replaced meanwhile: others here kill monitors).
      await eventually(async () => {
        const pid = parseInt(await readFile(pidFile, 'utf8'), 10);
        return pid !== monitor && processAlive(pid);
      });
    });
  });

  it('reaps a container whose supervisor died and releases what it held', async () => {
    await withProject(testEmbeddedEngine, 'deadmon', async (engine, project) => {
      const id = await run(engine, containerSpec(project, 'svc', { command: SLEEP }));
      const st = await store.readState(id);
      assert.equal((await netnsOf(id)).length, 1);
      process.kill(st.conmonPid!, 'SIGKILL');
      const d = await eventually(async () => {
        const x = await engine.inspectContainer(id);
        return x.state === 'exited' ? x : undefined;
      });
      assert.equal(d.exitCode, 137);
      assert.deepEqual(await netnsOf(id), []);
      const mounts = await readFile('/proc/self/mountinfo', 'utf8');
      assert.equal(mounts.includes(containerPaths(paths, id).rootfs), false);
      // And it starts again like any stopped container.
      await engine.startContainer(id);
      assert.equal((await engine.inspectContainer(id)).state, 'running');
    });
  });

  it('after a reboot, marks containers exited and brings back those whose policy says so', async () => {
    await withProject(testEmbeddedEngine, 'reboot', async (engine, project) => {
      const plain = await run(engine, containerSpec(project, 'plain', { command: SLEEP }));
      const kept = await run(engine, containerSpec(project, 'kept', { command: SLEEP, restartPolicy: { name: 'unless-stopped' } }));
      // What a reboot leaves: state that says running, from another boot.
      for (const id of [plain, kept]) await store.update(id, (s) => ({ ...s, bootId: 'an-earlier-boot' }));
      const fresh = await testEmbeddedEngine();
      try {
        const d = await fresh.inspectContainer(plain);
        assert.equal(d.state, 'exited');
        assert.equal(d.exitCode, 255);
        const back = await eventually(async () => {
          const x = await fresh.inspectContainer(kept);
          return x.state === 'running' && x.restartCount === 1 ? x : undefined;
        }, { timeoutMs: 15_000 });
        assert.ok(back.pid !== undefined);
      } finally {
        await fresh.close();
      }
    });
  });

  it('cleans half-created containers and finishes interrupted removals', async () => {
    await withProject(testEmbeddedEngine, 'halfdone', async (engine, project) => {
      // A create killed before it wrote the record: a directory with nothing usable, an hour old.
      const orphan = 'f'.repeat(48) + Math.random().toString(16).slice(2, 10).padEnd(16, '0');
      const dir = containerPaths(paths, orphan).dir;
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'state.json'), '{}');
      const old = new Date(Date.now() - 3600_000);
      await utimes(dir, old, old);
      // A remove killed half-way: the record still says `removing`.
      const id = await engine.createContainer(containerSpec(project, 'gone', { command: SLEEP }));
      await store.update(id, (s) => ({ ...s, status: 'removing' }));
      const fresh = await testEmbeddedEngine();
      try {
        // Recovery runs before the first change a new engine makes.
        await fresh.createContainer(containerSpec(project, 'trigger', { command: SLEEP }));
        assert.equal(existsSync(dir), false);
        await assert.rejects(fresh.inspectContainer(id), (err) => isEngineError(err, 'not-found'));
      } finally {
        await fresh.close();
      }
    });
  });
  it('a create refused for a taken name leaves nothing on disk', async () => {
    await withProject(testEmbeddedEngine, 'dupname', async (engine, project) => {
      // Other tests create containers meanwhile: a directory of theirs is empty only for a moment.
      const emptyDirs = async (): Promise<string[]> => {
        const out: string[] = [];
        for (const d of await readdir(paths.containers)) if ((await readdir(join(paths.containers, d)).catch(() => ['gone'])).length === 0) out.push(d);
        return out;
      };
      const before = new Set(await emptyDirs());
      await engine.createContainer(containerSpec(project, 'dup', { command: ['true'] }));
      await assert.rejects(engine.createContainer(containerSpec(project, 'dup', { command: ['true'] })), (err) => isEngineError(err, 'conflict'));
      await eventually(async () => (await emptyDirs()).every((d) => before.has(d)), { message: 'an empty container directory stayed behind' });
    });
  });
});
