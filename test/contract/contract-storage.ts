import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isEngineError } from '../../src/engine/engine-error.js';
import { LABEL } from '../../src/model/labels.js';
import { eventually } from '../helpers/eventually.js';
import { SLEEP, containerSpec, run, withProject } from './fixture.js';
import type { MakeEngine } from './fixture.js';
import { httpGet } from '../helpers/http.js';

export function storageContract(engineName: string, makeEngine: MakeEngine): void {
  describe(`${engineName} engine: networks, volumes, mounts, ports`, { concurrency: true }, () => {
    it('resolves containers by network alias and connects/disconnects networks', async () => {
      await withProject(makeEngine, 'net', async (engine, project) => {
        const labels = { [LABEL.project]: project, [LABEL.network]: 'default' };
        const net = `${project}_default`;
        const netId = await engine.createNetwork({ name: net, labels, internal: false, attachable: true, enableIpv6: false });
        const other = `${project}_other`;
        await engine.createNetwork({ name: other, labels: { [LABEL.project]: project }, internal: false, attachable: true, enableIpv6: false });
        assert.deepEqual((await engine.listNetworks({ [LABEL.project]: project })).map((n) => n.name), [net, other]);
        assert.deepEqual((await engine.listNetworks({ [LABEL.network]: 'default', [LABEL.project]: project })).map((n) => n.id), [netId]);

        const db = await run(engine, containerSpec(project, 'db', { command: SLEEP, networkMode: net, networks: [{ network: net, aliases: ['database'] }] }));
        const app = await run(engine, containerSpec(project, 'app', { command: SLEEP, networkMode: net, networks: [{ network: net, aliases: [] }] }));
        const ping = await engine.exec(app, { command: ['ping', '-c', '1', '-W', '2', 'database'] });
        assert.equal(ping.exitCode, 0, ping.output);
        const d = await engine.inspectContainer(db);
        assert.ok(d.networkSettings[net]?.aliases.includes('database'));
        assert.equal(d.networkSettings[net]?.networkId, netId);
        assert.match(d.networkSettings[net]?.ipv4Address ?? '', /^\d+\.\d+\.\d+\.\d+$/);
        const info = await engine.inspectNetwork(net);
        assert.deepEqual([info.id, info.name, info.driver, info.labels], [netId, net, 'bridge', labels]);
        assert.deepEqual(info.containers, [app, db].sort());

        await engine.connectNetwork(other, db, { network: other, aliases: ['db-other'] });
        assert.deepEqual((await engine.inspectContainer(db)).networks, [net, other].sort());
        await engine.disconnectNetwork(other, db, false);
        assert.deepEqual((await engine.inspectContainer(db)).networks, [net]);

        await engine.removeContainer(db, { force: true, volumes: true });
        await engine.removeContainer(app, { force: true, volumes: true });
        await engine.removeNetwork(other);
        await assert.rejects(engine.inspectNetwork(other), (err) => isEngineError(err, 'not-found'));
      });
    });

    it('keeps named volume data after the container is removed; removes anonymous volumes with it', async () => {
      await withProject(makeEngine, 'vol', async (engine, project) => {
        const name = `${project}_data`;
        const labels = { [LABEL.project]: project, [LABEL.volume]: 'data' };
        const created = await engine.createVolume({ name, labels });
        assert.equal(created.name, name);
        assert.deepEqual(created.labels, labels);
        assert.notEqual(created.mountpoint, '');
        assert.deepEqual((await engine.listVolumes({ [LABEL.project]: project })).map((v) => v.name), [name]);

        const writer = await run(engine, containerSpec(project, 'w', {
          command: ['sh', '-c', 'echo kept > /data/file'],
          mounts: [{ type: 'volume', source: name, target: '/data', readOnly: false, noCopy: false }, { type: 'volume', target: '/anon', readOnly: false, noCopy: false }],
        }));
        assert.equal(await engine.waitContainer(writer), 0);
        const mounts = (await engine.inspectContainer(writer)).mounts.sort((a, b) => a.target.localeCompare(b.target));
        assert.deepEqual(mounts.map((m) => [m.type, m.target, m.readOnly]), [['volume', '/anon', false], ['volume', '/data', false]]);
        assert.equal(mounts[1]?.name, name);
        const anonymous = mounts[0]?.name ?? '';
        assert.match(anonymous, /^[0-9a-f]{64}$/);
        await engine.removeContainer(writer, { force: false, volumes: true });
        await assert.rejects(engine.inspectVolume(anonymous), (err) => isEngineError(err, 'not-found'));

        const reader = await run(engine, containerSpec(project, 'r', {
          command: ['cat', '/data/file'], mounts: [{ type: 'volume', source: name, target: '/data', readOnly: true, noCopy: false }],
        }));
        assert.equal(await engine.waitContainer(reader), 0);
        const out = [];
        for await (const l of engine.logs(reader, { follow: false, timestamps: false })) out.push(l.text);
        assert.deepEqual(out, ['kept']);
        await engine.removeContainer(reader, { force: true, volumes: false });
        await engine.removeVolume(name, false);
        await assert.rejects(engine.inspectVolume(name), (err) => isEngineError(err, 'not-found'));
      });
    });

    it('binds host paths (created when missing), read-only binds and tmpfs', async () => {
      const host = await mkdtemp(join(tmpdir(), 'berth-bind-'));
      try {
        await withProject(makeEngine, 'bind', async (engine, project) => {
          const missing = join(host, 'made', 'by', 'engine');
          const id = await run(engine, containerSpec(project, 'b', {
            command: SLEEP,
            mounts: [
              { type: 'bind', source: missing, target: '/out', readOnly: false, createHostPath: true },
              { type: 'bind', source: host, target: '/ro', readOnly: true, createHostPath: false },
              { type: 'tmpfs', target: '/scratch', sizeBytes: 1024 * 1024, readOnly: false },
            ],
            tmpfs: { '/fast': 'size=2m' },
          }));
          const write = await engine.exec(id, { command: ['sh', '-c', 'echo from-container > /out/f'] });
          assert.equal(write.exitCode, 0, write.output);
          assert.equal(await readFile(join(missing, 'f'), 'utf8'), 'from-container\n');
          const ro = await engine.exec(id, { command: ['sh', '-c', 'touch /ro/nope'] });
          assert.notEqual(ro.exitCode, 0);
          const mounts = await engine.exec(id, { command: ['sh', '-c', 'grep -E " /(scratch|fast) " /proc/mounts'] });
          assert.match(mounts.output ?? '', /^tmpfs \/scratch tmpfs .*size=1024k/m);
          assert.match(mounts.output ?? '', /^tmpfs \/fast tmpfs .*size=2048k/m);
          const d = await engine.inspectContainer(id);
          assert.deepEqual(d.mounts.filter((m) => m.type === 'bind').map((m) => [m.source, m.target, m.readOnly]).sort(),
            [[missing, '/out', false], [host, '/ro', true]].sort());
        });
      } finally {
        await rm(host, { recursive: true, force: true });
      }
    });

    it('publishes a port reachable on 127.0.0.1', async () => {
      await withProject(makeEngine, 'port', async (engine, project) => {
        const id = await run(engine, containerSpec(project, 'http', {
          command: ['sh', '-c', 'echo served > /var/www/index.html; exec httpd -f -p 80 -h /var/www'],
          ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '' }, { containerPort: 53, protocol: 'udp', hostIp: '127.0.0.1', hostPort: '' }],
          exposedPorts: ['8080/tcp'],
        }));
        const d = await engine.inspectContainer(id);
        const tcp = d.ports.find((p) => p.containerPort === 80);
        assert.ok(tcp !== undefined && tcp.hostIp === '127.0.0.1' && tcp.hostPort > 0, JSON.stringify(d.ports));
        assert.ok(d.ports.some((p) => p.containerPort === 53 && p.protocol === 'udp' && p.hostPort > 0));
        const listed = (await engine.listContainers({ all: false, labels: { [LABEL.project]: project } }))[0];
        assert.deepEqual(listed?.ports.find((p) => p.containerPort === 80), { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: tcp.hostPort });
        const body = await eventually(() => httpGet(tcp.hostPort), { timeoutMs: 10_000 });
        assert.equal(body, 'served\n');
      });
    });
  });
}
