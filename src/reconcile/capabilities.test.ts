import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Engine, EngineCapabilities, EngineInfo } from '../engine/engine.js';
import { PlanError } from './plan-types.js';
import { execute } from './execute.js';
import { planUp, type PlanUpOptions } from './plan.js';
import { observedState, testProject } from './test-fixtures.js';

const ALL: EngineCapabilities = { build: true, pause: true, healthcheck: true, hostNetwork: true, publishPorts: true, exec: true, copy: true, events: true };

/** An engine that only answers `info()`; any other call is recorded (none may happen). */
function limitedEngine(no: Partial<EngineCapabilities>): { engine: Engine; calls: string[] } {
  const calls: string[] = [];
  const info: EngineInfo = { name: 'docker', version: '0', os: 'linux', arch: 'amd64', capabilities: { ...ALL, ...no } };
  const engine = new Proxy({}, {
    get: (_t, prop) => {
      if (prop === 'info') return () => Promise.resolve(info);
      if (prop === 'then') return undefined;
      return (...args: unknown[]) => {
        calls.push(`${String(prop)} ${JSON.stringify(args[0] ?? null).slice(0, 40)}`);
        return Promise.resolve(undefined);
      };
    },
  }) as Engine;
  return { engine, calls };
}

const opts: PlanUpOptions = { services: [], noDeps: false, recreate: 'diverged', recreateDependencies: 'diverged', renewAnonVolumes: false, removeOrphans: false, scale: {}, build: 'policy', now: 0 };

async function refusal(no: Partial<EngineCapabilities>, services: Parameters<typeof testProject>[0], extra: Parameters<typeof testProject>[1] = {}): Promise<{ message: string; calls: string[] }> {
  const project = testProject(services, extra);
  // No image built yet for any service with a build section.
  const observed = observedState(project, [], { fresh: true, images: Object.fromEntries(Object.keys(services).map((n) => [`p-${n}`, undefined])) });
  const { engine, calls } = limitedEngine(no);
  const err = await execute(planUp(project, observed, opts), project, observed, { engine, events: () => undefined, parallel: 4, noStart: false }).then(
    () => assert.fail('execute should refuse'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof PlanError, String(err));
  return { message: err.message, calls };
}

describe('engine capabilities', () => {
  it('refuses to build on an engine without build, before changing anything', async () => {
    const r = await refusal({ build: false }, { web: { build: { context: '/w', dockerfile: 'Dockerfile' } }, db: { image: 'x' } });
    assert.match(planUp(testProject({ web: { build: { context: '/w', dockerfile: 'Dockerfile' } } }), observedState(testProject({}), [], { fresh: true }), opts).toString(), /image p-web: build/);
    assert.equal(r.message, 'the docker engine cannot build images (service "web")');
    assert.deepEqual(r.calls, []);
  });

  it('names every missing capability with the first service (by name) that needs it', async () => {
    const r = await refusal({ healthcheck: false, publishPorts: false, hostNetwork: false, copy: false }, {
      zeta: { image: 'x', healthcheck: { test: ['CMD', 'true'] } },
      alpha: { image: 'x', healthcheck: { test: ['CMD', 'true'] }, ports: [{ mode: 'ingress', target: 80, protocol: 'tcp' }] },
      host: { image: 'x', network_mode: 'host' },
      off: { image: 'x', healthcheck: { disable: true } },
      sec: { image: 'x', secrets: [{ source: 'token' }, { source: 'onDisk' }] },
    }, { secrets: { token: { name: 'p_token', content: 'abc' }, onDisk: { name: 'p_onDisk', file: '/w/f' } } });
    assert.equal(r.message, [
      'the docker engine cannot copy files into containers (secrets and configs from content or environment) (service "sec")',
      'the docker engine cannot run healthchecks (service "alpha")',
      'the docker engine does not support network_mode: host (service "host")',
      'the docker engine cannot publish ports (service "alpha")',
    ].join('\n'));
    assert.deepEqual(r.calls, []);
  });

  it('does not ask the engine when the plan needs nothing optional', async () => {
    const project = testProject({ plain: { image: 'x' } });
    const observed = observedState(project, [], { fresh: true });
    const { engine, calls } = limitedEngine({ build: false, healthcheck: false });
    let asked = false;
    const spy = new Proxy(engine, { get: (t, p, r) => (p === 'info' ? () => ((asked = true), Promise.reject(new Error('info called'))) : Reflect.get(t, p, r)) as unknown });
    await execute(planUp(project, observed, opts), project, observed, { engine: spy, events: () => undefined, parallel: 4, noStart: true }).catch(() => undefined);
    assert.equal(asked, false);
    assert.ok(calls.some((c) => c.startsWith('createContainer')), calls.join('\n'));
  });
});
