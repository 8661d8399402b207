/**
 * Engine.prepareContainer on the embedded engine: `up` sets dependent containers up while their
 * dependencies start, so each later start only runs the process. A prepared container must look
 * and behave like a created one until it starts, and any change of plan must undo the work.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { ContainerSpec, Engine } from '../../src/engine/engine.js';
import { processAlive } from '../../src/engine/embedded/image/store-lock.js';
import { embeddedPaths } from '../../src/engine/embedded/paths.js';
import { ContainerStore } from '../../src/engine/embedded/state/container-store.js';
import { SLEEP, containerSpec, withProject } from '../contract/fixture.js';
import { TEST_ROOT, testEmbeddedEngine } from '../helpers/embedded.js';
import { projectLabels } from '../helpers/docker.js';
import { eventually } from '../helpers/eventually.js';

/** Resolves once the process is gone (a zombie counts as gone). */
async function gone(pid: number): Promise<void> {
  await eventually(() => Promise.resolve(processAlive(pid) ? undefined : true), { timeoutMs: 10_000 });
}

const store = new ContainerStore(embeddedPaths(TEST_ROOT));
const execFileP = promisify(execFile);

async function netnsOf(id: string): Promise<string[]> {
  const names = await readdir('/run/netns').catch(() => [] as string[]);
  return names.filter((n) => n.endsWith(`-${id.slice(0, 12)}`));
}

async function natRulesOf(id: string): Promise<string[]> {
  const { stdout } = await execFileP('iptables-save', ['-t', 'nat']);
  return stdout.split('\n').filter((l) => l.includes(id.slice(0, 12)));
}

async function hostsOf(engine: Engine, id: string): Promise<string> {
  const r = await engine.exec(id, { command: ['cat', '/etc/hosts'] });
  assert.equal(r.exitCode, 0);
  return r.output ?? '';
}

/** A network of the project, a running peer on it, and a created (not started) container `web` on it. */
async function scene(engine: Engine, project: string, web: Partial<ContainerSpec> = {}): Promise<{ peer: string; web: string; network: string }> {
  const network = `${project}_net`;
  await engine.createNetwork({ name: network, labels: projectLabels(project), internal: false, attachable: false, enableIpv6: false });
  const attach = (alias: string): Partial<ContainerSpec> => ({ networkMode: network, networks: [{ network, aliases: [alias] }] });
  const peer = await engine.createContainer(containerSpec(project, 'peer', { command: SLEEP, ...attach('peer-alias') }));
  await engine.startContainer(peer);
  const webId = await engine.createContainer(containerSpec(project, 'web', {
    command: SLEEP, ...attach('web-alias'), ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '' }], ...web,
  }));
  return { peer, web: webId, network };
}

describe('embedded engine: containers prepared ahead of their start', { concurrency: true }, () => {
  it('stays created, unseen by peers and unpublished until it starts, then runs the prepared process', async () => {
    await withProject(testEmbeddedEngine, 'prep', async (engine, project) => {
      const s = await scene(engine, project);
      assert.ok(engine.prepareContainer !== undefined);
      await engine.prepareContainer(s.web);
      const prepared = (await store.readState(s.web)).prepared;
      assert.ok(prepared !== undefined);
      assert.ok(processAlive(prepared.conmonPid));
      const before = await engine.inspectContainer(s.web);
      assert.equal(before.state, 'created');
      assert.equal(before.pid, undefined);
      // Like any created container: networks as configured, no address yet.
      assert.equal(before.networkSettings[s.network]?.ipv4Address, undefined);
      assert.deepEqual(before.ports, []);
      assert.equal((await netnsOf(s.web)).length, 1);
      assert.doesNotMatch(await hostsOf(engine, s.peer), /web-alias/);
      assert.deepEqual(await natRulesOf(s.web), []);
      // Preparing again is a no-op: same supervisor.
      await engine.prepareContainer(s.web);
      assert.equal((await store.readState(s.web)).prepared?.conmonPid, prepared.conmonPid);

      await engine.startContainer(s.web);
      const after = await engine.inspectContainer(s.web);
      assert.equal(after.state, 'running');
      assert.equal(after.pid, prepared.pid);
      assert.equal((await store.readState(s.web)).prepared, undefined);
      const ip = after.networkSettings[s.network]?.ipv4Address;
      assert.ok(ip !== undefined && ip !== '');
      assert.match(await hostsOf(engine, s.peer), new RegExp(`^${ip.replace(/\./g, '\\.')}\\t${project}-web web-alias`, 'm'));
      assert.match(await hostsOf(engine, s.web), /\tprep-[0-9a-f]+-peer peer-alias /);
      const published = after.ports.find((p) => p.containerPort === 80);
      assert.ok(published !== undefined && published.hostPort > 0, JSON.stringify(after.ports));
      assert.notDeepEqual(await natRulesOf(s.web), []);
      assert.equal((await engine.exec(s.web, { command: ['echo', 'ran'] })).output?.trim(), 'ran');
    });
  });

  it('starts afresh when the prepared runtime is gone (dead supervisor, or another boot)', async () => {
    await withProject(testEmbeddedEngine, 'prep-stale', async (engine, project) => {
      const s = await scene(engine, project);
      await engine.prepareContainer!(s.web);
      const first = (await store.readState(s.web)).prepared!;
      process.kill(first.conmonPid, 'SIGKILL');
      await gone(first.conmonPid);
      await engine.startContainer(s.web);
      const running = await engine.inspectContainer(s.web);
      assert.equal(running.state, 'running');
      assert.notEqual(running.pid, first.pid);
      assert.equal((await engine.exec(s.web, { command: ['true'] })).exitCode, 0);
      await engine.stopContainer(s.web, 1);

      // A prepare killed after conmon created the runtime container, before the state said so.
      await engine.prepareContainer!(s.web);
      const unrecorded = (await store.readState(s.web)).prepared!;
      await store.update(s.web, (st) => {
        const next = { ...st };
        delete next.prepared;
        return next;
      });
      await engine.startContainer(s.web);
      const recovered = await engine.inspectContainer(s.web);
      assert.equal(recovered.state, 'running');
      assert.notEqual(recovered.pid, unrecorded.pid);
      await gone(unrecorded.conmonPid);
      assert.equal((await engine.exec(s.web, { command: ['true'] })).exitCode, 0);
      assert.equal((await engine.inspectContainer(s.web)).state, 'running');
      await engine.stopContainer(s.web, 1);

      // A start killed after it ran the process, before the state said so: the next start
      // keeps that process.
      await engine.prepareContainer!(s.web);
      const ran = (await store.readState(s.web)).prepared!;
      await execFileP('crun', ['--root', embeddedPaths(TEST_ROOT).runtimeRoot, 'start', s.web]);
      await engine.startContainer(s.web);
      const kept = await engine.inspectContainer(s.web);
      assert.equal(kept.state, 'running');
      assert.equal(kept.pid, ran.pid);
      await engine.stopContainer(s.web, 1);

      // Prepared before a reboot: the recorded boot no longer matches.
      await engine.prepareContainer!(s.web);
      const again = (await store.readState(s.web)).prepared!;
      await store.update(s.web, (st) => ({ ...st, prepared: { ...again, bootId: 'another-boot' } }));
      await engine.startContainer(s.web);
      const restarted = await engine.inspectContainer(s.web);
      assert.equal(restarted.state, 'running');
      assert.notEqual(restarted.pid, again.pid);
      await gone(again.conmonPid);
      assert.equal((await netnsOf(s.web)).length, 1);
    });
  });

  it('leaves nothing behind when a prepared container is removed, renamed or connected', async () => {
    await withProject(testEmbeddedEngine, 'prep-undo', async (engine, project) => {
      const s = await scene(engine, project);
      await engine.prepareContainer!(s.web);
      const prepared = (await store.readState(s.web)).prepared!;
      await engine.renameContainer(s.web, `${project}-renamed`);
      assert.equal((await store.readState(s.web)).prepared, undefined);
      await gone(prepared.conmonPid);
      assert.deepEqual(await netnsOf(s.web), []);
      await engine.startContainer(s.web);
      assert.match(await hostsOf(engine, s.peer), new RegExp(`\\t${project}-renamed web-alias`));
      await engine.stopContainer(s.web, 1);

      const extra = `${project}_extra`;
      await engine.createNetwork({ name: extra, labels: projectLabels(project), internal: false, attachable: false, enableIpv6: false });
      await engine.prepareContainer!(s.web);
      await engine.connectNetwork(extra, s.web, { network: extra, aliases: [] });
      assert.equal((await store.readState(s.web)).prepared, undefined);
      await engine.startContainer(s.web);
      assert.deepEqual(Object.keys((await engine.inspectContainer(s.web)).networkSettings).sort(), [extra, s.network].sort());
      await engine.stopContainer(s.web, 1);

      await engine.prepareContainer!(s.web);
      const last = (await store.readState(s.web)).prepared!;
      await engine.removeContainer(s.web, { force: false, volumes: false });
      await gone(last.conmonPid);
      await gone(last.pid);
      assert.deepEqual(await netnsOf(s.web), []);
      assert.deepEqual(await natRulesOf(s.web), []);
    });
  });
});
