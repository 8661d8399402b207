import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticBag } from '../errors/diagnostic.js';
import { parseComposeYaml } from './parse-yaml.js';
import { applyProfiles } from './profiles.js';
import type { RawMap } from './raw.js';
import { keyLocation } from './raw.js';

function model(): RawMap {
  return {
    services: {
      web: { image: 'nginx' },
      debug: { image: 'busybox', profiles: ['debug'] },
      tools: { image: 'alpine', profiles: ['tools', 'debug'] },
      seed: { image: 'alpine', profiles: ['seed'] },
      none: { image: 'alpine', profiles: [] },
    },
  };
}

const serviceNames = (m: RawMap): string[] => Object.keys(m['services'] as RawMap).sort();

void describe('applyProfiles', () => {
  void it('enables services without profiles and disables the others when no profile is active', () => {
    const m = model();
    const diags = new DiagnosticBag();
    const r = applyProfiles(m, [], [], diags);
    assert.deepEqual(serviceNames(m), ['none', 'web']);
    assert.deepEqual(Object.keys(r.disabled), ['debug', 'seed', 'tools']);
    assert.deepEqual(r.disabled['seed'], { image: 'alpine', profiles: ['seed'] });
    assert.deepEqual(r.active, []);
    assert.deepEqual(diags.items, []);
  });

  void it('enables a service when any of its profiles is active and sorts the active list', () => {
    const m = model();
    const r = applyProfiles(m, ['tools', 'seed'], [], new DiagnosticBag());
    assert.deepEqual(serviceNames(m), ['none', 'seed', 'tools', 'web']);
    assert.deepEqual(Object.keys(r.disabled), ['debug']);
    assert.deepEqual(r.active, ['seed', 'tools']);
  });

  void it('enables every service with *', () => {
    const m = model();
    const r = applyProfiles(m, ['*'], [], new DiagnosticBag());
    assert.deepEqual(serviceNames(m), ['debug', 'none', 'seed', 'tools', 'web']);
    assert.deepEqual(r.disabled, {});
    assert.deepEqual(r.active, ['*']);
  });

  void it('activates the profiles of selected services, enabling the other services of those profiles', () => {
    const m = model();
    const r = applyProfiles(m, [], ['tools'], new DiagnosticBag());
    // tools brings `tools` and `debug`; `debug` enables the debug service too.
    assert.deepEqual(r.active, ['debug', 'tools']);
    assert.deepEqual(serviceNames(m), ['debug', 'none', 'tools', 'web']);
    assert.deepEqual(Object.keys(r.disabled), ['seed']);
  });

  void it('adds nothing for a selected service that is already enabled', () => {
    const m = model();
    const r = applyProfiles(m, ['debug'], ['tools', 'web'], new DiagnosticBag());
    assert.deepEqual(r.active, ['debug']);
    assert.deepEqual(Object.keys(r.disabled), ['seed']);
  });

  void it('does not enable disabled dependencies of a selected service', () => {
    const m: RawMap = {
      services: {
        app: { image: 'a', profiles: ['app'], depends_on: { db: { condition: 'service_started', required: true } } },
        db: { image: 'postgres', profiles: ['db'] },
      },
    };
    const r = applyProfiles(m, [], ['app'], new DiagnosticBag());
    assert.deepEqual(serviceNames(m), ['app']);
    assert.deepEqual(Object.keys(r.disabled), ['db']);
  });

  void it('reports unknown selected services once each', () => {
    const m = model();
    const diags = new DiagnosticBag();
    applyProfiles(m, [], ['ghost', 'web', 'ghost', 'phantom'], diags);
    assert.deepEqual(
      diags.items.map((d) => [d.severity, d.code, d.message]),
      [
        ['error', 'profiles', 'no such service: ghost'],
        ['error', 'profiles', 'no such service: phantom'],
      ],
    );
  });

  void it('ignores empty profile names', () => {
    const m = model();
    assert.deepEqual(applyProfiles(m, ['', 'seed'], [], new DiagnosticBag()).active, ['seed']);
  });

  void it('keeps the position of disabled services', () => {
    const diags = new DiagnosticBag();
    const [m] = parseComposeYaml('services:\n  web:\n    image: nginx\n  dbg:\n    image: busybox\n    profiles: [debug]\n', 'compose.yaml', diags);
    const r = applyProfiles(m!, [], [], diags);
    assert.deepEqual(keyLocation(r.disabled, 'dbg'), { file: 'compose.yaml', line: 4, col: 3 });
  });
});
