import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticBag } from '../errors/diagnostic.js';
import { checkConsistency } from './consistency.js';
import { parseComposeYaml } from './parse-yaml.js';
import { applyProfiles } from './profiles.js';

/** Parses canonical YAML, applies `profiles`, runs the checks: `line:col path | message` per error. */
function check(yaml: string, profiles: string[] = []): string[] {
  const diags = new DiagnosticBag();
  const [model] = parseComposeYaml(yaml, 'compose.yaml', diags);
  assert.equal(diags.items.length, 0, 'test YAML parses');
  const { disabled } = applyProfiles(model!, profiles, [], diags);
  checkConsistency(model!, disabled, diags);
  for (const d of diags.items) {
    assert.equal(d.code, 'consistency');
    assert.equal(d.severity, 'error');
    assert.equal(d.location?.file, 'compose.yaml');
  }
  return diags.items.map((d) => `${d.location?.line}:${d.location?.col} ${d.path ?? ''} | ${d.message}`);
}

void describe('checkConsistency: services', () => {
  void it('accepts a consistent canonical project', () => {
    const yaml = `services:
  web:
    image: nginx
    networks: {front: null, default: null}
    volumes:
      - {type: volume, source: data, target: /data}
      - {type: bind, source: /srv, target: /srv}
      - {type: volume, target: /anon}
      - {type: tmpfs, target: /tmp}
    secrets: [{source: token, target: /run/secrets/token}]
    configs: [{source: conf, target: /conf}]
    depends_on: {db: {condition: service_healthy, required: true}}
    healthcheck: {test: [CMD, "true"]}
    ports: [{mode: ingress, target: 80, published: "8080", protocol: tcp, host_ip: "::1"}]
    scale: 2
    deploy: {replicas: 2, resources: {limits: {cpus: "0.5", memory: 512m}}}
    cpus: 0.5
    mem_limit: 536870912
    develop: {watch: [{path: /src, action: rebuild}, {path: /src, action: sync, target: /app}]}
  db:
    build: {context: /db, dockerfile: Dockerfile}
    network_mode: "service:web"
networks: {front: {name: p_front}}
volumes: {data: {name: p_data}}
secrets: {token: {name: p_token, file: /token}}
configs: {conf: {name: p_conf, content: "x"}}
`;
    // db uses web's network namespace while web depends on db: not a depends_on cycle here.
    assert.deepEqual(check(yaml), []);
  });

  void it('requires an image or a build', () => {
    assert.deepEqual(check('services:\n  web:\n    command: [a]\n  ok:\n    provider: {type: x}\n'), [
      '2:3 services.web | service "web" has neither an image nor a build context specified',
    ]);
  });

  void it('rejects dockerfile with dockerfile_inline and a platform missing from build.platforms', () => {
    const yaml = `services:
  web:
    platform: linux/arm64
    build:
      context: .
      dockerfile: Dockerfile
      dockerfile_inline: FROM scratch
      platforms: [linux/amd64]
`;
    assert.deepEqual(check(yaml), [
      '7:26 services.web.build.dockerfile_inline | service "web" declares mutualy exclusive dockerfile and dockerfile_inline',
      '3:15 services.web.platform | service.build.platforms MUST include service.platform "linux/arm64"',
    ]);
  });

  void it('rejects network_mode together with networks, and undefined networks', () => {
    const yaml = `services:
  web:
    image: x
    network_mode: host
    networks:
      default: null
      back: null
`;
    assert.deepEqual(check(yaml), [
      '5:5 services.web.networks | service web declares mutually exclusive `network_mode` and `networks`',
      '7:7 services.web.networks.back | service "web" refers to undefined network back',
    ]);
  });

  void it('also reads networks left in list form', () => {
    assert.deepEqual(check('services:\n  web:\n    image: x\n    network_mode: none\n    networks: [front]\n'), [
      '5:5 services.web.networks | service web declares mutually exclusive `network_mode` and `networks`',
      '5:16 services.web.networks[0] | service "web" refers to undefined network front',
    ]);
  });

  void it('reports undefined named volumes, configs, secrets, build secrets and models', () => {
    const yaml = `services:
  web:
    image: x
    build: {context: ., secrets: [{source: bs}]}
    volumes:
      - {type: bind, source: ./here, target: /a}
      - {type: volume, source: missing, target: /b}
    configs: [{source: c1}]
    secrets: [{source: s1}]
    models: {llm: null}
`;
    assert.deepEqual(check(yaml), [
      '7:32 services.web.volumes[1].source | service "web" refers to undefined volume missing',
      '8:15 services.web.configs[0] | service "web" refers to undefined config c1',
      '9:15 services.web.secrets[0] | service "web" refers to undefined secret s1',
      '4:35 services.web.build.secrets[0] | service "web" refers to undefined build secret bs',
      '10:14 services.web.models.llm | service "web" refers to undefined model llm',
    ]);
  });

  void it('checks depends_on against defined, disabled and optional services', () => {
    const yaml = `services:
  web:
    image: x
    depends_on:
      ghost: {condition: service_started, required: true}
      db: {condition: service_started, required: true}
      cache: {condition: service_started, required: false}
      ok: {condition: service_started, required: true}
  ok:
    image: x
  db:
    image: x
    profiles: [storage, data]
  cache:
    image: x
    profiles: [cache]
`;
    assert.deepEqual(check(yaml), [
      '6:7 services.web.depends_on.db | service "db" is required by "web" but is disabled. Can be enabled by profiles [storage data]',
      '5:7 services.web.depends_on.ghost | service "web" depends on undefined service "ghost"',
    ]);
    assert.deepEqual(check(yaml, ['storage']), ['5:7 services.web.depends_on.ghost | service "web" depends on undefined service "ghost"']);
  });

  void it('checks service: namespace references', () => {
    const yaml = `services:
  web:
    image: x
    network_mode: "service:nope"
    ipc: "service:gone"
    pid: "service:web2"
  web2:
    image: x
  side:
    image: x
    network_mode: "service:dbg"
    depends_on: {dbg: {condition: service_started, required: true, restart: true}}
  dbg:
    image: x
    profiles: [debug]
`;
    assert.deepEqual(check(yaml), [
      '12:18 services.side.depends_on.dbg | service "dbg" is required by "side" but is disabled. Can be enabled by profiles [debug]',
      '4:19 services.web.network_mode | service "nope" not found for network_mode \'service:nope\'',
      '5:10 services.web.ipc | service "gone" not found for ipc \'service:gone\'',
    ]);
  });

  void it('checks the first element of healthcheck.test', () => {
    assert.deepEqual(check('services:\n  web:\n    image: x\n    healthcheck:\n      test: [curl, -f, localhost]\n'), [
      '5:14 services.web.healthcheck.test[0] | healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"',
    ]);
  });

  void it('checks scale, deploy.replicas and container_name', () => {
    const yaml = `services:
  a:
    image: x
    scale: 2
    deploy: {replicas: 3}
  b:
    image: x
    scale: -1
  c:
    image: x
    container_name: c
    scale: 2
  d:
    image: x
    container_name: d
    deploy: {replicas: 2}
  e:
    image: x
    container_name: e
    scale: 1
`;
    assert.deepEqual(check(yaml), [
      "4:12 services.a | services.a: can't set distinct values on 'scale' and 'deploy.replicas'",
      '8:12 services.b.scale | services.b.scale: must be greater than or equal to 0',
      "11:21 services.c.container_name | services.scale: can't set container_name and c as container name must be unique",
      "15:21 services.d.container_name | services.deploy.replicas: can't set container_name and d as container name must be unique",
    ]);
  });

  void it('checks resource attributes against deploy.resources, comparing values not spelling', () => {
    const yaml = `services:
  same:
    image: x
    cpus: "1.5"
    mem_limit: 1g
    mem_reservation: 1024
    pids_limit: 10
    deploy: {resources: {limits: {cpus: 1.5, memory: 1073741824, pids: 10}, reservations: {memory: 1k}}}
  diff:
    image: x
    cpus: 2
    mem_limit: 1g
    mem_reservation: 10m
    pids_limit: 5
    deploy: {resources: {limits: {cpus: 1, memory: 2g, pids: 6}, reservations: {memory: 20m}}}
`;
    assert.deepEqual(check(yaml), [
      "11:11 services.diff | services.diff: can't set distinct values on 'cpus' and 'deploy.resources.limits.cpus'",
      "12:16 services.diff | services.diff: can't set distinct values on 'mem_limit' and 'deploy.resources.limits.memory'",
      "13:22 services.diff | services.diff: can't set distinct values on 'mem_reservation' and 'deploy.resources.reservations.memory'",
      "14:17 services.diff | services.diff: can't set distinct values on 'pids_limit' and 'deploy.resources.limits.pids'",
    ]);
  });

  void it('checks develop.watch rules', () => {
    const yaml = `services:
  web:
    image: x
    develop:
      watch:
        - {path: /src, action: sync}
        - {path: /src, action: restart}
        - {path: " ", action: rebuild}
        - {path: /src, action: sync+restart, target: /app}
`;
    assert.deepEqual(check(yaml), [
      '6:11 services.web.develop.watch | services.web.develop.watch: target is required for non-rebuild actions',
      "8:18 services.web.develop.watch[2].path | services.web.develop.watch[2].path: value can't be blank",
    ]);
  });

  void it('rejects two mounts on the same target', () => {
    const yaml = `services:
  web:
    image: x
    tmpfs: [/run, "/data:size=64m", /run]
    volumes:
      - {type: bind, source: /a, target: /a}
      - {type: volume, target: /data}
`;
    assert.deepEqual(check(yaml), [
      '4:37 services.web.tmpfs[2] | services.web.tmpfs[2]: target /run already mounted as services.web.tmpfs[0]',
      '7:9 services.web.volumes[1] | services.web.volumes[1]: target /data already mounted as services.web.tmpfs[1]',
    ]);
  });

  void it('checks host_ip and device requests', () => {
    const yaml = `services:
  web:
    image: x
    ports:
      - {mode: ingress, target: 80, protocol: tcp, host_ip: "127.0.0.1"}
      - {mode: ingress, target: 81, protocol: tcp, host_ip: localhost}
    gpus: [{count: all}, {count: 1, device_ids: ["0"]}]
    deploy:
      resources:
        reservations:
          devices: [{capabilities: [gpu], count: 2, device_ids: ["1"]}]
`;
    assert.deepEqual(check(yaml), [
      '6:61 services.web.ports[1].host_ip | invalid ip address: localhost',
      '7:26 services.web.gpus[1] | "count" and "device_ids" attributes are exclusive',
      '11:21 services.web.deploy.resources.reservations.devices[0] | "count" and "device_ids" attributes are exclusive',
    ]);
  });

  void it('checks service: additional build contexts', () => {
    const yaml = `services:
  app:
    build:
      context: .
      dockerfile: Dockerfile
      additional_contexts: {base: "service:base", img: "service:img", gone: "service:gone", dir: /x}
  base:
    build: {context: ., dockerfile: Dockerfile}
  img:
    image: x
`;
    assert.deepEqual(check(yaml), [
      '6:77 services.app.build.additional_contexts.gone | service "app" declares unknown service "gone" as additional contexts gone',
      '6:56 services.app.build.additional_contexts.img | service "app" declares non-buildable service "img" as additional contexts img',
    ]);
  });
});

void describe('checkConsistency: top-level resources', () => {
  void it('rejects other attributes on external resources', () => {
    const yaml = `services: {}
networks:
  net: {external: true, name: real, driver: bridge, x-note: 1}
volumes:
  vol: {external: true, labels: {a: b}, driver_opts: {o: bind}}
secrets:
  sec: {external: true, file: /x}
configs:
  ok: {external: false, file: /y}
`;
    assert.deepEqual(check(yaml), [
      '3:37 networks.net.driver | conflicting parameters "external" and "driver" specified for network "net"',
      '5:41 volumes.vol.driver_opts | conflicting parameters "external" and "driver_opts" specified for volume "vol"',
      '5:25 volumes.vol.labels | conflicting parameters "external" and "labels" specified for volume "vol"',
      '7:25 secrets.sec.file | conflicting parameters "external" and "file" specified for secret "sec"',
    ]);
  });

  void it('checks where secrets and configs get their content', () => {
    const yaml = `services: {}
secrets:
  none: {name: p_none}
  both: {file: /a, environment: A}
  ext: {external: true}
  drv: {driver: vault}
  env: {environment: A}
configs:
  none: {name: p_none}
  both: {file: /a, content: x}
  ok: {content: x}
`;
    assert.deepEqual(check(yaml), [
      '4:3 secrets.both | secrets.both: file|environment attributes are mutually exclusive',
      '3:3 secrets.none | secret "none" must declare either `file` or `environment`',
      '10:3 configs.both | configs.both: file|environment|content attributes are mutually exclusive',
      '9:3 configs.none | configs.none: one of file|environment|content must be set',
    ]);
  });
});

void describe('checkConsistency: dependency cycles', () => {
  void it('reports the cycle starting at its alphabetically first service', () => {
    const yaml = `services:
  c:
    image: x
    depends_on: {a: {condition: service_started, required: true}}
  b:
    image: x
    depends_on: {c: {condition: service_started, required: true}}
  a:
    image: x
    depends_on: {b: {condition: service_started, required: true}}
`;
    assert.deepEqual(check(yaml), ['10:18 services.a.depends_on.b | dependency cycle detected: a -> b -> c -> a']);
  });

  void it('reports a self-dependency', () => {
    const yaml = 'services:\n  web:\n    image: x\n    depends_on:\n      web: {condition: service_started, required: true}\n';
    assert.deepEqual(check(yaml), ['5:7 services.web.depends_on.web | dependency cycle detected: web -> web']);
  });

  void it('ignores edges to disabled optional services', () => {
    const yaml = `services:
  a:
    image: x
    depends_on: {b: {condition: service_started, required: false}}
  b:
    image: x
    profiles: [p]
    depends_on: {a: {condition: service_started, required: true}}
`;
    assert.deepEqual(check(yaml), []);
    assert.deepEqual(check(yaml, ['p']), ['4:18 services.a.depends_on.b | dependency cycle detected: a -> b -> a']);
  });
});
