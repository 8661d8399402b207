import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planUp, PlanError, type PlanUpOptions } from './plan.js';
import { observedContainer, observedNetwork, observedState, testProject } from './test-fixtures.js';

const base: PlanUpOptions = {
  services: [],
  noDeps: false,
  recreate: 'diverged',
  recreateDependencies: 'diverged',
  renewAnonVolumes: false,
  removeOrphans: false,
  scale: {},
  build: 'policy',
  now: 0,
};

const project = testProject(
  {
    db: { image: 'postgres', volumes: [{ type: 'volume', source: 'data', target: '/data' }] },
    web: { image: 'nginx', depends_on: { db: { condition: 'service_started', required: true, restart: true } } },
    api: { image: 'api', depends_on: { db: { condition: 'service_healthy', required: true } } },
  },
  { volumes: { data: { name: 'p_data' } } },
);

const upToDate = () => [
  observedContainer(project, 'api', 1),
  observedContainer(project, 'db', 1, { volumes: ['p_data'] }),
  observedContainer(project, 'web', 1),
];

describe('planUp', () => {
  it('plans a fresh project', () => {
    const plan = planUp(project, observedState(project, [], { fresh: true }), base);
    assert.equal(
      plan.toString(),
      ['network p_default: create, missing', 'volume p_data: create, missing', 'api-1: create, missing', 'db-1: create, missing', 'web-1: create, missing', ''].join('\n'),
    );
    assert.deepEqual(plan.warnings, []);
  });

  it('keeps an up-to-date project (no-op)', () => {
    const plan = planUp(project, observedState(project, upToDate()), base);
    assert.equal(plan.toString(), ['network p_default: keep, up to date', 'volume p_data: keep, up to date', 'api-1: keep, up to date', 'db-1: keep, up to date', 'web-1: keep, up to date', ''].join('\n'));
    assert.equal(plan.isNoop(), true);
  });

  it('recreates only the changed service, and restart:true dependents around it', () => {
    const containers = upToDate();
    containers[1] = observedContainer(project, 'db', 1, { volumes: ['p_data'], hash: 'stale' });
    const plan = planUp(project, observedState(project, containers), base);
    assert.match(plan.toString(), /^db-1: recreate, config hash changed$/m);
    assert.match(plan.toString(), /^web-1: restart, dependency db recreated$/m);
    assert.match(plan.toString(), /^api-1: keep, up to date$/m);
  });

  it('recreates when the image changed', () => {
    const plan = planUp(project, observedState(project, upToDate(), { images: { api: 'sha256:new' } }), base);
    assert.match(plan.toString(), /^api-1: recreate, image changed$/m);
    assert.match(plan.toString(), /^db-1: keep, up to date$/m);
  });

  it('recreates a container missing its named volume or network', () => {
    const containers = upToDate();
    containers[1] = observedContainer(project, 'db', 1, { volumes: [] });
    containers[0] = observedContainer(project, 'api', 1, { networks: [] });
    const text = planUp(project, observedState(project, containers), base).toString();
    assert.match(text, /^db-1: recreate, volume p_data missing$/m);
    assert.match(text, /^api-1: recreate, not connected to network p_default$/m);
  });

  it('scales up with new numbers after the highest, and down removing obsolete then highest', () => {
    const p = testProject({ w: { image: 'x' } });
    const c = [observedContainer(p, 'w', 1), observedContainer(p, 'w', 2, { hash: 'old' }), observedContainer(p, 'w', 3)];
    assert.equal(planUp(p, observedState(p, c), { ...base, scale: { w: 5 } }).containers().map((o) => `${o.name}:${o.action}`).join(' '), 'p-w-1:keep p-w-2:recreate p-w-3:keep p-w-4:create p-w-5:create');
    const down = planUp(p, observedState(p, c), { ...base, scale: { w: 1 } });
    assert.match(down.toString(), /^w-1: keep, up to date\nw-2: remove, scale down\nw-3: remove, scale down\n$/m);
    const two = planUp(p, observedState(p, c), { ...base, scale: { w: 2 } });
    assert.match(two.toString(), /^w-1: keep, up to date\nw-2: remove, scale down\nw-3: keep, up to date\n$/m);
  });

  it('warns about orphans, removes them with --remove-orphans', () => {
    const p = testProject({ w: { image: 'x' } });
    const orphan = observedContainer(p, 'gone', 1);
    const warned = planUp(p, observedState(p, [observedContainer(p, 'w', 1), orphan]), base);
    assert.deepEqual(warned.warnings, [
      'Found orphan containers (p-gone-1) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.',
    ]);
    assert.doesNotMatch(warned.toString(), /gone/);
    const removed = planUp(p, observedState(p, [observedContainer(p, 'w', 1), orphan]), { ...base, removeOrphans: true });
    assert.match(removed.toString(), /^gone-1: remove, orphan$/m);
    assert.deepEqual(removed.warnings, []);
  });

  it('applies force / never to targeted services and the dependency policy to dependencies', () => {
    const forced = planUp(project, observedState(project, upToDate()), { ...base, services: ['web'], recreate: 'force' });
    assert.equal(forced.toString(), ['network p_default: keep, up to date', 'volume p_data: keep, up to date', 'db-1: keep, up to date', 'web-1: recreate, forced', ''].join('\n'));
    const deps = planUp(project, observedState(project, upToDate()), { ...base, services: ['web'], recreateDependencies: 'force' });
    assert.match(deps.toString(), /^db-1: recreate, forced\nweb-1: restart, dependency db recreated\n$/m);
    const c = upToDate();
    c[2] = observedContainer(project, 'web', 1, { hash: 'stale' });
    const never = planUp(project, observedState(project, c), { ...base, recreate: 'never', recreateDependencies: 'never' });
    assert.match(never.toString(), /^web-1: keep, no recreate$/m);
  });

  it('-V forces a recreate without inheriting anonymous volumes', () => {
    const plan = planUp(project, observedState(project, upToDate()), { ...base, services: ['api'], noDeps: true, recreate: 'force', renewAnonVolumes: true });
    assert.equal(plan.toString(), 'network p_default: keep, up to date\napi-1: recreate, renew anonymous volumes\n');
    assert.equal(plan.containers()[0]?.renewAnonVolumes, true);
  });

  it('leaves exited containers alone, starts created and paused ones', () => {
    const p = testProject({ a: { image: 'x' }, b: { image: 'x' }, c: { image: 'x' } });
    const plan = planUp(p, observedState(p, [observedContainer(p, 'a', 1, { state: 'exited' }), observedContainer(p, 'b', 1, { state: 'created' }), observedContainer(p, 'c', 1, { state: 'paused' })]), base);
    assert.equal(plan.toString(), 'network p_default: keep, up to date\na-1: keep, up to date, exited\nb-1: start, created\nc-1: start, paused\n');
  });

  it('requires external resources to exist', () => {
    const ext = testProject({ w: { image: 'x', networks: { outside: null } } }, { networks: { outside: { name: 'foo', external: true } } });
    assert.throws(() => planUp(ext, observedState(ext, [], { fresh: true }), base), new PlanError('network foo declared as external, but could not be found'));
    const vol = testProject({ w: { image: 'x', volumes: [{ type: 'volume', source: 'v', target: '/v' }] } }, { volumes: { v: { name: 'foo', external: true } } });
    assert.throws(() => planUp(vol, observedState(vol, [], { fresh: true }), base), new PlanError('external volume "foo" not found'));
  });

  it('warns about a foreign network and recreates a network whose hash changed', () => {
    const p = testProject({ w: { image: 'x' } });
    const foreign = observedState(p, [observedContainer(p, 'w', 1)]);
    foreign.networks['p_default'] = { ...observedNetwork(p, 'default'), labels: {} };
    assert.deepEqual(planUp(p, foreign, base).warnings, ['a network with name p_default exists but was not created by compose.\nSet `external: true` to use an existing network']);
    const changed = observedState(p, [observedContainer(p, 'w', 1)]);
    changed.networks['p_default'] = { ...observedNetwork(p, 'default', 'old'), containers: ['w1'] };
    const plan = planUp(p, changed, base);
    assert.equal(plan.toString(), 'network p_default: recreate, config hash changed\nw-1: recreate, network p_default recreated\n');
  });

  it('plans image pulls and builds per pull policy', () => {
    const p = testProject({ a: { image: 'a' }, b: { build: { context: '/w/b' } }, c: { image: 'c', pull_policy: 'always' } });
    const plan = planUp(p, observedState(p, [], { fresh: true, images: { a: undefined, 'p-b': undefined } }), base);
    assert.match(plan.toString(), /^image a: pull, image not present\nimage c: pull, pull_policy always\nimage p-b: build, image not present\n/m);
    const never = testProject({ a: { image: 'a', pull_policy: 'never' } });
    assert.throws(() => planUp(never, observedState(never, [], { images: { a: undefined } }), base), /image a not present and pull_policy is never/);
    const rebuilt = planUp(p, observedState(p, [observedContainer(p, 'b', 1)]), { ...base, build: 'always' });
    assert.match(rebuilt.toString(), /^image p-b: build, --build$/m);
    assert.equal(rebuilt.containers().find((o) => o.service === 'b')?.recheckImage, true);
  });
});
