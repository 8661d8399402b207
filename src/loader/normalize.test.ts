import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticBag } from '../errors/diagnostic.js';
import { parseComposeYaml } from './parse-yaml.js';
import type { RawMap } from './raw.js';
import { locate } from './raw.js';
import { normalizeModel } from './normalize.js';

const ENV: Record<string, string> = { FROM_ENV: 'env-value', ARG_SET: 'a1' };

function load(yaml: string): { model: RawMap; diags: DiagnosticBag } {
  const diags = new DiagnosticBag();
  const [model] = parseComposeYaml(yaml, '/p/compose.yaml', diags);
  assert.ok(model);
  normalizeModel(model, { diags, projectName: 'proj', lookup: (n) => ENV[n] });
  return { model, diags };
}

function svc(model: RawMap, name = 'web'): RawMap {
  return (model.services as RawMap)[name] as RawMap;
}

void describe('normalizeModel', () => {
  void it('removes `version` with the obsolete warning at the key', () => {
    const { model, diags } = load('version: "3.8"\nservices:\n  web:\n    image: x\n');
    assert.equal(model.version, undefined);
    assert.deepEqual(
      diags.items.map((d) => [d.severity, d.message, d.location?.line, d.location?.col]),
      [['warning', '/p/compose.yaml: the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion', 1, 1]],
    );
  });

  void it('ports: short forms expanded, positions kept on every entry', () => {
    const { model } = load('services:\n  web:\n    image: x\n    ports:\n      - "3000-3001"\n      - 8080:80\n');
    assert.deepEqual(svc(model).ports, [
      { mode: 'ingress', target: 3000, protocol: 'tcp' },
      { mode: 'ingress', target: 3001, protocol: 'tcp' },
      { mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' },
    ]);
    assert.equal(locate(model, ['services', 'web', 'ports', 1])?.line, 5);
    assert.equal(locate(model, ['services', 'web', 'ports', 2])?.line, 6);
  });

  void it('ports: a bad spec is an error at the entry', () => {
    const { diags } = load('services:\n  web:\n    image: x\n    ports:\n      - "80/xyz"\n');
    assert.deepEqual(
      diags.items.map((d) => [d.message, d.path, d.location?.line]),
      [['invalid proto: xyz', 'services.web.ports[0]', 5]],
    );
  });

  void it('expose entries become strings', () => {
    const { model } = load('services:\n  web:\n    image: x\n    expose: [3000, "8000-8010/udp"]\n');
    assert.deepEqual(svc(model).expose, ['3000', '8000-8010/udp']);
  });

  void it('volumes: short syntax to long, long bind block gets create_host_path', () => {
    const { model } = load(
      'services:\n  web:\n    image: x\n    volumes:\n      - /anon\n      - data:/data:ro\n      - ./src:/src\n      - type: bind\n        source: /a\n        target: /b\n        bind: {propagation: shared}\n      - type: bind\n        source: /c\n        target: /d\n',
    );
    assert.deepEqual(svc(model).volumes, [
      { type: 'volume', target: '/anon', volume: {} },
      { type: 'volume', source: 'data', target: '/data', read_only: true, volume: {} },
      { type: 'bind', source: './src', target: '/src', bind: { create_host_path: true } },
      { type: 'bind', source: '/a', target: '/b', bind: { propagation: 'shared', create_host_path: true } },
      { type: 'bind', source: '/c', target: '/d' },
    ]);
    assert.equal(locate(model, ['services', 'web', 'volumes', 2, 'source'])?.line, 7);
  });

  void it('depends_on list ⇒ map, map entries defaulted, implicit dependencies added', () => {
    const { model } = load(`services:
  web:
    image: x
    depends_on:
      db:
        condition: service_healthy
      cache: {required: false}
    links: [a, "b:alias"]
    network_mode: service:net
    ipc: service:ipc
    pid: container:abc
    volumes_from: [vf, "vf2:ro", "container:c1"]
  other:
    image: x
    depends_on: [db]
`);
    assert.deepEqual(svc(model).depends_on, {
      db: { condition: 'service_healthy', required: true },
      cache: { required: false, condition: 'service_started' },
      a: { condition: 'service_started', restart: true, required: true },
      b: { condition: 'service_started', restart: true, required: true },
      net: { condition: 'service_started', restart: true, required: true },
      ipc: { condition: 'service_started', restart: true, required: true },
      vf: { condition: 'service_started', required: true },
      vf2: { condition: 'service_started', required: true },
    });
    assert.deepEqual(svc(model, 'other').depends_on, { db: { condition: 'service_started', required: true } });
    assert.equal(locate(model, ['services', 'other', 'depends_on', 'db'])?.line, 15);
  });

  void it('networks: default network joined and declared only when used; list ⇒ map', () => {
    const { model } = load(`services:
  a:
    image: x
  b:
    image: x
    networks: [front]
  c:
    image: x
    network_mode: host
    networks: [front]
  d:
    image: x
    networks: {}
networks:
  front:
`);
    assert.deepEqual(svc(model, 'a').networks, { default: null });
    assert.deepEqual(svc(model, 'b').networks, { front: null });
    assert.deepEqual(svc(model, 'c').networks, { front: null });
    assert.deepEqual(svc(model, 'd').networks, { default: null });
    assert.deepEqual(model.networks, { front: { name: 'proj_front' }, default: { name: 'proj_default' } });
  });

  void it('no default network when nobody uses it', () => {
    const { model } = load('services:\n  a:\n    image: x\n    networks: [n]\nnetworks:\n  n: {}\n');
    assert.deepEqual(model.networks, { n: { name: 'proj_n' } });
  });

  void it('resource names, external, legacy external.name with warning', () => {
    const { model, diags } = load(`volumes:
  data:
    driver_opts: {size: 10, type: tmpfs}
    labels: [a=1, b]
  ext:
    external: true
  named:
    name: custom
  legacy:
    external:
      name: real
secrets:
  s:
    file: ./s.txt
configs:
  c:
    external: true
`);
    assert.deepEqual(model.volumes, {
      data: { driver_opts: { size: '10', type: 'tmpfs' }, labels: { a: '1', b: '' }, name: 'proj_data' },
      ext: { external: true, name: 'ext' },
      named: { name: 'custom' },
      legacy: { external: true, name: 'real' },
    });
    assert.deepEqual(model.secrets, { s: { file: './s.txt', name: 'proj_s' } });
    assert.deepEqual(model.configs, { c: { external: true, name: 'c' } });
    assert.deepEqual(
      diags.items.map((d) => [d.severity, d.message, d.location?.line]),
      [['warning', 'volumes.legacy: external.name is deprecated. Please set name and external: true', 11]],
    );
  });

  void it('external.name conflicting with name is an error', () => {
    const { diags } = load('networks:\n  n:\n    name: a\n    external:\n      name: b\n');
    assert.deepEqual(
      diags.items.map((d) => [d.severity, d.message]),
      [['error', 'networks.n: name and external.name conflict; only use name']],
    );
  });

  void it('build: string ⇒ context, defaults, args resolved or dropped, ssh list ⇒ map', () => {
    const { model } = load(`services:
  a:
    build: ./dir
  b:
    build:
      dockerfile_inline: FROM scratch
      args: [PLAIN=1, ARG_SET, ARG_UNSET]
      ssh: [default, key=/k]
      labels: [x=1]
      secrets: [tok]
`);
    assert.deepEqual(svc(model, 'a').build, { context: './dir', dockerfile: 'Dockerfile' });
    assert.deepEqual(svc(model, 'b').build, {
      dockerfile_inline: 'FROM scratch',
      args: { PLAIN: '1', ARG_SET: 'a1' },
      ssh: { default: null, key: '/k' },
      labels: { x: '1' },
      secrets: [{ source: 'tok', target: '/run/secrets/tok' }],
      context: '.',
    });
    assert.equal(locate(model, ['services', 'a', 'build'])?.line, 3);
  });

  void it('env_file, label_file, dns, dns_search, tmpfs, watch ignore/include', () => {
    const { model } = load(`services:
  web:
    image: x
    env_file: a.env
    label_file: l.txt
    dns: 8.8.8.8
    dns_search: example.com
    tmpfs: /run
    develop:
      watch:
        - path: ./src
          action: sync
          target: /app
          ignore: node_modules
          include: "*.js"
  two:
    image: x
    env_file: [b.env, {path: c.env, required: false, format: raw}, {path: d.env}]
`);
    const w = svc(model);
    assert.deepEqual(w.env_file, [{ path: 'a.env', required: true }]);
    assert.equal(locate(model, ['services', 'web', 'env_file', 0, 'path'])?.line, 4);
    assert.equal(locate(model, ['services', 'two', 'env_file', 1])?.col, 23);
    assert.equal(locate(model, ['services', 'web', 'label_file', 0])?.line, 5);
    assert.deepEqual(w.label_file, ['l.txt']);
    assert.deepEqual(w.dns, ['8.8.8.8']);
    assert.deepEqual(w.dns_search, ['example.com']);
    assert.deepEqual(w.tmpfs, ['/run']);
    assert.deepEqual(w.develop, { watch: [{ path: './src', action: 'sync', target: '/app', ignore: ['node_modules'], include: ['*.js'] }] });
    assert.deepEqual(svc(model, 'two').env_file, [
      { path: 'b.env', required: true },
      { path: 'c.env', required: false, format: 'raw' },
      { path: 'd.env', required: true },
    ]);
  });

  void it('secrets and configs short ⇒ long; secrets default target only', () => {
    const { model } = load('services:\n  web:\n    image: x\n    secrets: [s1, {source: s2}, {source: s3, target: rel}]\n    configs: [c1]\n');
    assert.deepEqual(svc(model).secrets, [
      { source: 's1', target: '/run/secrets/s1' },
      { source: 's2', target: '/run/secrets/s2' },
      { source: 's3', target: 'rel' },
    ]);
    assert.deepEqual(svc(model).configs, [{ source: 'c1' }]);
  });

  void it('extends removed, pull_policy alias, scale copied into deploy.replicas', () => {
    const { model } = load('services:\n  web:\n    image: x\n    extends: base\n    pull_policy: if_not_present\n    scale: 3\n');
    const w = svc(model);
    assert.equal(w.extends, undefined);
    assert.equal(w.pull_policy, 'missing');
    assert.equal(w.scale, 3);
    assert.deepEqual(w.deploy, { replicas: 3 });
  });

  void it('gpus and devices', () => {
    const { model } = load(
      'services:\n  web:\n    image: x\n    gpus: all\n    devices: ["/dev/a", "/dev/b:/dev/c", "/dev/d:/dev/e:r"]\n  two:\n    image: x\n    gpus: [{driver: nvidia, count: "2"}, {capabilities: [gpu]}, {device_ids: ["0"]}]\n',
    );
    assert.deepEqual(svc(model).gpus, [{ count: -1 }]);
    assert.deepEqual(svc(model).devices, [
      { source: '/dev/a', target: '/dev/a', permissions: 'rwm' },
      { source: '/dev/b', target: '/dev/c', permissions: 'rwm' },
      { source: '/dev/d', target: '/dev/e', permissions: 'r' },
    ]);
    assert.deepEqual(svc(model, 'two').gpus, [{ driver: 'nvidia', count: 2 }, { capabilities: ['gpu'], count: -1 }, { device_ids: ['0'] }]);
  });

  void it('a device with too many colons is an error', () => {
    const { diags } = load('services:\n  web:\n    image: x\n    devices: ["a:b:c:d"]\n');
    assert.deepEqual(
      diags.items.map((d) => [d.message, d.path, d.location?.line, d.location?.col]),
      [['confusing device mapping, please use long syntax: a:b:c:d', 'services.web.devices[0]', 4, 15]],
    );
  });

  void it('healthcheck: string test, disable, durations', () => {
    const { model } = load(`services:
  a:
    image: x
    healthcheck:
      test: curl -f http://localhost
      interval: 90s
      timeout: 1500ms
      start_period: 1h
  b:
    image: x
    healthcheck:
      disable: true
    stop_grace_period: 120s
`);
    assert.deepEqual(svc(model, 'a').healthcheck, {
      test: ['CMD-SHELL', 'curl -f http://localhost'],
      interval: '1m30s',
      timeout: '1.5s',
      start_period: '1h0m0s',
    });
    assert.deepEqual(svc(model, 'b').healthcheck, { disable: true });
    assert.equal(svc(model, 'b').stop_grace_period, '2m0s');
  });

  void it('a bad duration is an error at its value', () => {
    const { diags } = load('services:\n  a:\n    image: x\n    stop_grace_period: 10\n');
    assert.deepEqual(
      diags.items.map((d) => [d.message, d.path, d.location?.line, d.location?.col]),
      [['time: missing unit in duration "10"', 'services.a.stop_grace_period', 4, 24]],
    );
  });

  void it('command/entrypoint split like a shell; null kept', () => {
    const { model, diags } = load(`services:
  a:
    image: x
    command: sh -c 'echo "hi"'
    entrypoint: null
  b:
    image: x
    command: echo "oops
`);
    assert.deepEqual(svc(model, 'a').command, ['sh', '-c', 'echo "hi"']);
    assert.equal(svc(model, 'a').entrypoint, null);
    assert.deepEqual(
      diags.items.map((d) => [d.message, d.path, d.location?.line]),
      [['invalid command line string', 'services.b.command', 8]],
    );
  });

  void it('environment, labels, annotations, sysctls, extra_hosts lists ⇒ maps', () => {
    const { model } = load(`services:
  web:
    image: x
    environment: [A=1, B, FROM_ENV, "C=x=y"]
    labels: [l1=v, l2]
    annotations: {n: 1}
    sysctls: [net.core.somaxconn=1024]
    extra_hosts: ["h1=1.2.3.4", "h2:5.6.7.8", "h3=[::1]", "h1=9.9.9.9,8.8.8.8"]
  two:
    image: x
    environment: {NUM: 42, BOOL: true, NUL: null}
    extra_hosts: {h: [1.1.1.1, "[::2]"], g: 2.2.2.2}
`);
    const w = svc(model);
    assert.deepEqual(w.environment, { A: '1', B: null, FROM_ENV: 'env-value', C: 'x=y' });
    assert.deepEqual(w.labels, { l1: 'v', l2: '' });
    assert.deepEqual(w.annotations, { n: '1' });
    assert.deepEqual(w.sysctls, { 'net.core.somaxconn': '1024' });
    assert.deepEqual(w.extra_hosts, { h1: ['1.2.3.4', '9.9.9.9', '8.8.8.8'], h2: ['5.6.7.8'], h3: ['::1'] });
    assert.deepEqual(svc(model, 'two').environment, { NUM: '42', BOOL: 'true', NUL: null });
    assert.deepEqual(svc(model, 'two').extra_hosts, { h: ['1.1.1.1', '::2'], g: ['2.2.2.2'] });
    assert.equal(locate(model, ['services', 'web', 'environment', 'B'])?.line, 4);
  });

  void it('ulimits stay as written, models list ⇒ map; hooks split and pre_start inherits the image', () => {
    const { model } = load(`services:
  web:
    image: app:1
    ulimits: {nproc: 65535, nofile: {soft: 1, hard: 2}}
    models: [llm]
    post_start:
      - command: echo started
    pre_start:
      - command: ["migrate"]
      - command: seed
        image: tools
`);
    const w = svc(model);
    assert.deepEqual(w.ulimits, { nproc: 65535, nofile: { soft: 1, hard: 2 } });
    assert.deepEqual(w.models, { llm: null });
    assert.deepEqual(w.post_start, [{ command: ['echo', 'started'] }]);
    assert.deepEqual(w.pre_start, [
      { command: ['migrate'], image: 'app:1' },
      { command: ['seed'], image: 'tools' },
    ]);
  });
});
