import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { ContainerDetails, ContainerSpec, Engine } from '../engine/engine.js';
import { execute } from './execute.js';
import { createLimiter } from './limiter.js';
import { planUp, type PlanUpOptions } from './plan.js';
import { observedState, testProject } from './test-fixtures.js';

/** Records engine calls; container starts of `slow` take long. Only what execute uses is implemented. */
function fakeEngine(slowService: string) {
  const log: string[] = [];
  let inFlight = 0;
  let max = 0;
  const specs = new Map<string, ContainerSpec>();
  const op = async <T>(name: string, ms: number, value: T): Promise<T> => {
    inFlight++;
    max = Math.max(max, inFlight);
    log.push(`begin ${name}`);
    await delay(ms);
    log.push(`end ${name}`);
    inFlight--;
    return value;
  };
  const engine = {
    createNetwork: (s: { name: string }) => op(`network ${s.name}`, 5, 'nid'),
    createVolume: (s: { name: string }) => op(`volume ${s.name}`, 5, { name: s.name, driver: 'local', labels: {}, mountpoint: '' }),
    inspectImage: () => Promise.resolve(undefined),
    createContainer: (spec: ContainerSpec) => {
      specs.set(spec.name, spec);
      return op(`create ${spec.name}`, 5, spec.name);
    },
    startContainer: (id: string) => op(`start ${id}`, id.includes(slowService) ? 200 : 5, undefined),
    inspectContainer: (id: string) => Promise.resolve({ id, name: id, state: 'running', health: 'healthy', exitCode: 0 } as ContainerDetails),
  } as unknown as Engine;
  return { engine, log, max: () => max, specs };
}

/** fakeEngine with Engine.prepareContainer (which `fail` makes reject). */
function preparingEngine(slowService: string, fail = false) {
  const fake = fakeEngine(slowService);
  const engine = {
    ...fake.engine,
    prepareContainer: async (id: string) => {
      fake.log.push(`prepare ${id}`);
      await delay(1);
      if (fail) throw new Error(`cannot prepare ${id}`);
    },
  } as Engine;
  return { ...fake, engine };
}

describe('execute', () => {
  const project = testProject({
    slow: { image: 'x' },
    fast: { image: 'x' },
    afterFast: { image: 'x', depends_on: { fast: { condition: 'service_started', required: true } } },
    a: { image: 'x', scale: 4 },
  });
  const opts: PlanUpOptions = { services: [], noDeps: false, recreate: 'diverged', recreateDependencies: 'diverged', renewAnonVolumes: false, removeOrphans: false, scale: {}, build: 'policy', now: 0 };

  it('keeps engine operations within the parallel limit', async () => {
    const fake = fakeEngine('slow');
    const observed = observedState(project, [], { fresh: true });
    const result = await execute(planUp(project, observed, opts), project, observed, { engine: fake.engine, events: () => undefined, parallel: 2, noStart: false });
    assert.ok(fake.max() <= 2, `max in flight ${fake.max()}`);
    assert.equal(fake.max(), 2);
    assert.equal(result.maxInFlight, 2);
    assert.deepEqual(result.services['a']?.map((c) => c.name), ['p-a-1', 'p-a-2', 'p-a-3', 'p-a-4']);
  });

  it('starts a service as soon as its own dependencies are up, not level by level', async () => {
    const fake = fakeEngine('slow');
    const observed = observedState(project, [], { fresh: true });
    await execute(planUp(project, observed, opts), project, observed, { engine: fake.engine, events: () => undefined, parallel: 0, noStart: false });
    const startAfterFast = fake.log.indexOf('begin start p-afterFast-1');
    const slowDone = fake.log.indexOf('end start p-slow-1');
    assert.ok(startAfterFast >= 0 && slowDone > startAfterFast, fake.log.join('\n'));
  });

  it('prepares the containers that wait for dependencies before their turn, and only those', async () => {
    const fake = preparingEngine('fast');
    const observed = observedState(project, [], { fresh: true });
    await execute(planUp(project, observed, opts), project, observed, { engine: fake.engine, events: () => undefined, parallel: 0, noStart: false });
    assert.deepEqual(fake.log.filter((l) => l.startsWith('prepare')), ['prepare p-afterFast-1']);
    // Prepared while its dependency was still starting; started after it.
    const prepared = fake.log.indexOf('prepare p-afterFast-1');
    assert.ok(prepared >= 0 && prepared < fake.log.indexOf('end start p-fast-1'), fake.log.join('\n'));
    assert.ok(fake.log.indexOf('begin start p-afterFast-1') > fake.log.indexOf('end start p-fast-1'), fake.log.join('\n'));
  });

  it('leaves a failed preparation to the start, and prepares nothing without starts', async () => {
    const failing = preparingEngine('slow', true);
    const observed = observedState(project, [], { fresh: true });
    await execute(planUp(project, observed, opts), project, observed, { engine: failing.engine, events: () => undefined, parallel: 0, noStart: false });
    assert.ok(failing.log.includes('prepare p-afterFast-1'));
    assert.ok(failing.log.includes('end start p-afterFast-1'), failing.log.join('\n'));
    const noStart = preparingEngine('slow');
    await execute(planUp(project, observed, opts), project, observed, { engine: noStart.engine, events: () => undefined, parallel: 0, noStart: true });
    assert.deepEqual(noStart.log.filter((l) => l.startsWith('prepare') || l.includes(' start ')), []);
  });

  it('stops starting new work once aborted', async () => {
    const fake = fakeEngine('slow');
    const observed = observedState(project, [], { fresh: true });
    const abort = new AbortController();
    abort.abort(new Error('interrupted'));
    await assert.rejects(execute(planUp(project, observed, opts), project, observed, { engine: fake.engine, events: () => undefined, parallel: 0, noStart: false, signal: abort.signal }));
    assert.deepEqual(fake.log.filter((l) => l.startsWith('begin create')), []);
  });
});

describe('createLimiter', () => {
  it('never exceeds the limit, even when slots are released and taken concurrently', async () => {
    const limiter = createLimiter(3);
    let now = 0;
    let max = 0;
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        limiter.run(async () => {
          now++;
          max = Math.max(max, now);
          await delay(i % 3);
          now--;
        }),
      ),
    );
    assert.equal(max, 3);
    assert.equal(limiter.maxInFlight, 3);
  });
});
