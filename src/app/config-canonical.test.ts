import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Project } from '../model/project.js';
import { canonicalProject, canonicalView } from './canonical.js';
import { toJson } from './config-json-writer.js';
import { toYaml } from './yaml-writer.js';

function project(services: Record<string, Record<string, unknown>>, extra: Partial<Project> = {}): Project {
  return {
    name: 'demo',
    workingDir: '/w',
    configFiles: [],
    envFiles: [],
    services: services as unknown as Project['services'],
    disabledServices: {},
    networks: {},
    volumes: {},
    secrets: {},
    configs: {},
    models: {},
    profiles: [],
    environment: {},
    extensions: {},
    ...extra,
  };
}

const tricky = project(
  {
    web: {
      name: 'web',
      image: 'nginx',
      ports: [{ protocol: 'tcp', published: '8080', target: 80, mode: 'ingress', zz: 1 }],
      extra_hosts: { b: ['10.0.0.2', '10.0.0.3'], a: '10.0.0.1' },
      build: { target: 't', context: '.', extra_hosts: { h: ['1.1.1.1'] }, args: { B: '1', A: null } },
      depends_on: { db: { required: true, condition: 'service_started' }, cache: undefined },
      develop: { watch: [{ target: '/app', action: 'sync', path: './src' }] },
      labels: { '10': 'ten', '9': 'nine', b: 'x', a: undefined, q: 'say "hi"\\n\t→ \u2028' },
      command: ['sh', '-c', 'echo "$HOME"\nexit 0'],
      stop_grace_period: 1.5,
      cpus: Number.NaN,
      healthcheck: { retries: 3, test: ['CMD', 'true'], interval: '5s' },
    },
    '2': { name: '2', image: 'x' },
    '10': { name: '10', image: 'y' },
  },
  {
    networks: { front: { name: 'demo_front', driver: 'bridge' } },
    models: { m: { model: 'ai/x', name: 'n' } },
    extensions: { 'x-b': 1, 'x-a': { z: 1, y: 2 } },
  },
);

describe('canonical form', () => {
  it('writes the same YAML and JSON from the project as from the JSON tree', () => {
    const view = canonicalView(tricky);
    assert.equal(toYaml(view.value, view.layout), toYaml(canonicalProject(tricky)));
    assert.equal(toJson(view.value, view.layout), JSON.stringify(canonicalProject(tricky), null, 2) + '\n');
    const empty = canonicalView(project({}));
    assert.equal(toJson(empty.value, empty.layout), '{\n  "name": "demo",\n  "services": {}\n}\n');
    assert.equal(toYaml(empty.value, empty.layout), 'name: demo\nservices: {}\n');
  });

  it('orders fields as docker compose does and keeps object key order for numeric keys', () => {
    const json = JSON.stringify(canonicalProject(tricky));
    const services = canonicalProject(tricky).services as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(services), ['2', '10', 'web']);
    const web = services.web!;
    assert.deepEqual(Object.keys(web), ['build', 'command', 'cpus', 'depends_on', 'develop', 'extra_hosts', 'healthcheck', 'image', 'labels', 'ports', 'stop_grace_period']);
    assert.deepEqual(web.extra_hosts, ['a=10.0.0.1', 'b=10.0.0.2', 'b=10.0.0.3']);
    assert.deepEqual(Object.keys(web.build as object), ['context', 'args', 'extra_hosts', 'target']);
    assert.deepEqual((web.build as Record<string, unknown>).extra_hosts, ['h=1.1.1.1']);
    assert.deepEqual(web.depends_on, { cache: null, db: { condition: 'service_started', required: true } });
    assert.deepEqual(Object.keys((web.ports as object[])[0]!), ['mode', 'target', 'published', 'protocol', 'zz']);
    assert.deepEqual(Object.keys((web.healthcheck as object)), ['test', 'interval', 'retries']);
    assert.deepEqual(Object.keys((web.develop as { watch: object[] }).watch[0]!), ['path', 'action', 'target']);
    assert.ok(json.includes('"labels":{"9":"nine","10":"ten","b":"x","q":'), json);
    assert.ok(json.endsWith('"models":{"m":{"model":"ai/x","name":"n"}},"x-a":{"y":2,"z":1},"x-b":1}'), json);
  });
});
