import { it } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL } from '../../src/model/labels.js';
import { BERTH_VERSION } from '../../src/version.js';
import { forEachEngine } from '../helpers/engines.js';
import { containersOf, projectSuite } from '../helpers/project-fixture.js';

const compose = (webCommand: string): string => `
services:
  db:
    image: berth-test-busybox:latest
    command: ["sh", "-c", "sleep 3600"]
    stop_grace_period: 1s
    volumes: [data:/data]
  web:
    image: berth-test-busybox:latest
    command: ["sh", "-c", "${webCommand}"]
    stop_grace_period: 1s
    depends_on: [db]
    labels: {mine: "yes"}
volumes:
  data: {}
`;

forEachEngine('lifecycle: up / down', (engine) => {
  const suite = projectSuite(engine);
  const p = suite.project('lcup');

  it('creates everything with exact names and labels, hash equal to config --hash', async () => {
    p.write(compose('sleep 3600'));
    const dry = await p.ok(['--dry-run', 'up', '-d']);
    assert.equal(dry.stdout, `network ${p.name}_default: create, missing\nvolume ${p.name}_data: create, missing\ndb-1: create, missing\nweb-1: create, missing\n`);
    assert.equal((await containersOf(suite.engine(), p.name)).size, 0, '--dry-run changed nothing');
    await p.ok(['up', '-d']);
    const containers = await containersOf(suite.engine(), p.name);
    assert.deepEqual([...containers.keys()].sort(), [`${p.name}-db-1`, `${p.name}-web-1`]);
    const web = containers.get(`${p.name}-web-1`)!;
    const hashes = (await p.ok(['config', '--hash', '*'])).stdout;
    assert.ok(hashes.includes(`web ${web.labels[LABEL.configHash]}`), hashes);
    const image = await suite.engine().inspectImage('berth-test-busybox:latest');
    assert.deepEqual(
      {
        project: web.labels[LABEL.project],
        service: web.labels[LABEL.service],
        number: web.labels[LABEL.containerNumber],
        oneoff: web.labels[LABEL.oneoff],
        dependsOn: web.labels[LABEL.dependsOn],
        image: web.labels[LABEL.image],
        version: web.labels[LABEL.version],
        workingDir: web.labels[LABEL.workingDir],
        mine: web.labels['mine'],
      },
      { project: p.name, service: 'web', number: '1', oneoff: 'False', dependsOn: 'db:service_started:false', image: image?.id, version: BERTH_VERSION, workingDir: p.dir, mine: 'yes' },
    );
    assert.equal(web.state, 'running');
    assert.ok(`${p.name}_default` in web.networkSettings);
    assert.ok(containers.get(`${p.name}-db-1`)!.mounts.some((m) => m.name === `${p.name}_data` && m.target === '/data'));
  });

  it('keeps containers on a no-op up and recreates only the changed service', async () => {
    const before1 = await containersOf(suite.engine(), p.name);
    await p.ok(['up', '-d']);
    const same = await containersOf(suite.engine(), p.name);
    assert.equal(same.get(`${p.name}-web-1`)!.id, before1.get(`${p.name}-web-1`)!.id);
    assert.equal(same.get(`${p.name}-db-1`)!.id, before1.get(`${p.name}-db-1`)!.id);
    p.write(compose('sleep 3601'));
    assert.equal((await p.ok(['plan'])).stdout.split('\n').filter((l) => l.includes('recreate')).join('\n'), 'web-1: recreate, config hash changed');
    await p.ok(['up', '-d']);
    const after1 = await containersOf(suite.engine(), p.name);
    assert.notEqual(after1.get(`${p.name}-web-1`)!.id, before1.get(`${p.name}-web-1`)!.id);
    assert.equal(after1.get(`${p.name}-db-1`)!.id, before1.get(`${p.name}-db-1`)!.id);
    assert.equal(after1.get(`${p.name}-web-1`)!.labels[LABEL.replace], 'web-1');
  });

  it('scales up and down keeping low numbers', async () => {
    await p.ok(['up', '-d', '--scale', 'web=3']);
    assert.deepEqual([...(await containersOf(suite.engine(), p.name)).keys()].filter((n) => n.includes('-web-')).sort(), [1, 2, 3].map((n) => `${p.name}-web-${n}`));
    await p.ok(['up', '-d', '--scale', 'web=1', '-t', '1']);
    assert.deepEqual([...(await containersOf(suite.engine(), p.name)).keys()].filter((n) => n.includes('-web-')), [`${p.name}-web-1`]);
  });

  it('keeps named volume data over down without -v, removes it with -v', async () => {
    await p.ok(['run', '--rm', '--no-deps', 'db', 'sh', '-c', 'echo kept > /data/f']);
    await p.ok(['down', '-t', '1']);
    assert.equal((await containersOf(suite.engine(), p.name)).size, 0);
    assert.equal((await suite.engine().listNetworks({ [LABEL.project]: p.name })).length, 0);
    const r = await p.ok(['run', '--rm', '--no-deps', 'db', 'cat', '/data/f']);
    assert.match(r.stdout, /kept/);
    await p.ok(['down', '-v', '-t', '1']);
    assert.deepEqual(await suite.engine().listVolumes({ [LABEL.project]: p.name }), []);
  });
  it('inherits anonymous volumes on recreate, drops them with -V, and down -v removes them', async () => {
    const q = suite.project('lcanon');
    q.write('services:\n  app:\n    image: berth-test-busybox:latest\n    command: ["sh", "-c", "echo kept > /cache/f; sleep 3600"]\n    stop_grace_period: 1s\n    volumes: ["/cache"]\n');
    await q.ok(['up', '-d']);
    const anonymousOf = async (): Promise<string[]> =>
      [...(await containersOf(suite.engine(), q.name)).values()].flatMap((c) => c.mounts.filter((m) => m.target === '/cache').map((m) => m.name ?? ''));
    const [first] = await anonymousOf();
    assert.match(first ?? '', /^[0-9a-f]{64}$/);
    await q.ok(['up', '-d', '--force-recreate']);
    assert.deepEqual(await anonymousOf(), [first], 'the recreated container mounts the same anonymous volume');
    await q.ok(['up', '-d', '-V']);
    const [renewed] = await anonymousOf();
    assert.notEqual(renewed, first, '-V gives a new anonymous volume');
    assert.equal(await suite.engine().inspectVolume(first!).then(() => 'present', () => 'gone'), 'gone', '-V removed the old one');
    await q.ok(['up', '-d', '--force-recreate']);
    await q.ok(['down', '-v', '-t', '1']);
    assert.equal(await suite.engine().inspectVolume(renewed!).then(() => 'present', () => 'gone'), 'gone', 'down -v removed the inherited anonymous volume');
  });
});
