import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Engine } from '../../src/engine/engine.js';
import { cleanupProject, ensureBaseImage, uniqueProject } from '../helpers/docker.js';
import { connectTestEngine, forEachEngine } from '../helpers/engines.js';
import { eventually } from '../helpers/eventually.js';
import { berth as berthCli, type Run } from '../helpers/berth-cli.js';
import { createProjectNetwork, runService, serviceSpec } from '../helpers/service-containers.js';

forEachEngine('berth ps / port / top / images / ls (CLI)', (kind) => {
  const berth = (args: string[]): Promise<Run> => berthCli(args, { engine: kind });
  let engine: Engine;
  const project = uniqueProject('insp-ps');
  let webId = '';

  before(async () => {
    engine = await connectTestEngine(kind);
    await ensureBaseImage(engine);
    await createProjectNetwork(engine, project);
    webId = await runService(
      engine,
      serviceSpec(project, 'web', 1, ['sleep', '300'], {
        exposedPorts: ['80/tcp', '53/udp'],
        ports: [
          { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '' },
          { containerPort: 53, protocol: 'udp', hostIp: '127.0.0.1', hostPort: '' },
        ],
      }),
    );
    await runService(engine, serviceSpec(project, 'db', 1, ['sh', '-c', 'exit 3']));
    await eventually(async () => (await engine.inspectContainer(`${project}-db-1`)).state === 'exited');
  });
  after(async () => {
    await cleanupProject(engine, project);
    await engine.close();
  });

  it('ps lists running containers in a table, -a adds stopped ones', async () => {
    const r = await berth(['-p', project, 'ps']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^NAME\s+IMAGE\s+COMMAND\s+SERVICE\s+CREATED\s+STATUS\s+PORTS$/);
    assert.equal(lines.length, 2);
    assert.match(lines[1] ?? '', new RegExp(`^${project}-web-1\\s+berth-test-busybox:latest\\s+"sleep 300"\\s+web\\s+.* ago\\s+Up .*127\\.0\\.0\\.1:\\d+->80/tcp`));
    const all = await berth(['-p', project, 'ps', '-a', '--format', 'json']);
    const objects = all.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(objects.map((o) => [o.Name, o.Service, o.State, o.ExitCode]), [
      [`${project}-db-1`, 'db', 'exited', 3],
      [`${project}-web-1`, 'web', 'running', 0],
    ]);
    const web = objects[1] ?? {};
    assert.equal(web.ID, webId.slice(0, 12));
    assert.equal(web.Project, project);
    assert.equal(web.Image, 'berth-test-busybox:latest');
    assert.equal(web.Command, '"sleep 300"');
    assert.equal(web.Health, '');
    const pubs = web.Publishers as Array<Record<string, unknown>>;
    assert.deepEqual(pubs.map((p) => [p.URL, p.TargetPort, p.Protocol, typeof p.PublishedPort]), [
      ['127.0.0.1', 53, 'udp', 'number'],
      ['127.0.0.1', 80, 'tcp', 'number'],
    ]);
    assert.match(String(web.Labels), new RegExp(`com\\.docker\\.compose\\.project=${project},com\\.docker\\.compose\\.project\\.config_files=`));
  });

  it('ps -q, --services, --status and --filter select containers', async () => {
    assert.equal((await berth(['-p', project, 'ps', '-q', '--no-trunc'])).stdout, `${webId}\n`);
    assert.equal((await berth(['-p', project, 'ps', '-a', '--services'])).stdout, 'db\nweb\n');
    assert.equal((await berth(['-p', project, 'ps', '--status', 'exited', '--format', 'json'])).stdout.split('\n').length, 2);
    const filtered = await berth(['-p', project, 'ps', '--filter', 'status=exited', '-q']);
    assert.equal(filtered.stdout.trim().length, 64);
    assert.notEqual(filtered.stdout.trim(), webId);
    assert.equal((await berth(['-p', project, 'ps', '-a', '-q', 'db'])).stdout.trim().length, 64);
    const bad = await berth(['-p', project, 'ps', '--status', 'sleeping']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: invalid status "sleeping"/);
  });

  it('port prints the published address, and fails for an unpublished port', async () => {
    const details = await engine.inspectContainer(webId);
    const published = details.ports.find((p) => p.containerPort === 80);
    const r = await berth(['-p', project, 'port', 'web', '80']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `127.0.0.1:${published?.hostPort ?? -1}\n`);
    const udp = await berth(['-p', project, 'port', '--protocol', 'udp', 'web', '53']);
    assert.match(udp.stdout, /^127\.0\.0\.1:\d+\n$/);
    const missing = await berth(['-p', project, 'port', 'web', '81']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `error: no port 81/tcp for container ${project}-web-1\n`);
    const noService = await berth(['-p', project, 'port', 'cache', '80']);
    assert.equal(noService.stderr, 'error: service "cache" is not running\n');
  });

  it('top shows the processes per container', async () => {
    const r = await berth(['-p', project, 'top']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `${project}-web-1`);
    assert.match(lines[1] ?? '', /^UID\s+PID\s+PPID/);
    assert.match(r.stdout, /sleep 300/);
  });

  it('images lists the image of each container', async () => {
    const r = await berth(['-p', project, 'images']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^CONTAINER\s+REPOSITORY\s+TAG\s+IMAGE ID\s+SIZE$/);
    assert.match(lines[1] ?? '', new RegExp(`^${project}-db-1\\s+berth-test-busybox\\s+latest\\s+[0-9a-f]{12}\\s+[0-9.]+[kMG]?B$`));
    const json = JSON.parse((await berth(['-p', project, 'images', '--format', 'json', 'web'])).stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(json.map((i) => [i.ContainerName, i.Repository, i.Tag]), [[`${project}-web-1`, 'berth-test-busybox', 'latest']]);
  });

  it('ls groups containers by project', async () => {
    const r = await berth(['ls', '-a', '--filter', `name=^${project}$`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+STATUS\s+CONFIG FILES\n/);
    assert.match(r.stdout, new RegExp(`\\n${project}\\s+exited\\(1\\), running\\(1\\)\\s+/srv/${project}/compose\\.yaml\\n$`));
    const json = JSON.parse((await berth(['ls', '--format', 'json', '--filter', `name=^${project}$`])).stdout) as unknown;
    assert.deepEqual(json, [{ Name: project, Status: 'running(1)', ConfigFiles: `/srv/${project}/compose.yaml` }]);
    assert.equal((await berth(['ls', '-q', '--filter', `name=^${project}$`])).stdout, `${project}\n`);
  });
});
