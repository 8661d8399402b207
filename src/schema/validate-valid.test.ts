import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticBag, formatDiagnostic } from '../errors/diagnostic.js';
import { parseComposeYaml } from '../loader/parse-yaml.js';
import type { RawMap } from '../loader/raw.js';
import { compileComposeSchema } from './load-validator.js';
import { schemaIssues } from './schema-messages.js';
import { composeValidatorKind, validateModel } from './validate.js';

function parse(yaml: string): RawMap {
  const diags = new DiagnosticBag();
  const [model] = parseComposeYaml(yaml, 'compose.yaml', diags);
  assert.ok(model, 'the snippet must parse');
  return model;
}

function check(yaml: string): string[] {
  const diags = new DiagnosticBag();
  validateModel(parse(yaml), diags);
  return diags.sorted().map((d) => formatDiagnostic(d));
}

const REALISTIC = `
version: "3.9"
name: shop
include:
  - ./infra/compose.yaml
  - path: [./more/compose.yaml, ./more/override.yaml]
    env_file: ./more/.env
    project_directory: ./more
x-defaults: &defaults
  restart: unless-stopped
  logging:
    driver: json-file
    options: {max-size: 10m, max-file: 3}
services:
  web:
    <<: *defaults
    build:
      context: ./web
      dockerfile: Dockerfile.dev
      args: {NODE_ENV: development, PORT: 3000}
      target: dev
      cache_from: [type=local,src=/tmp/cache]
      ssh: [default]
      secrets: [npmrc]
      additional_contexts: {shared: ../shared, base: "service:base"}
      platforms: [linux/amd64, linux/arm64]
      no_cache: false
      provenance: mode=max
      ulimits: {nofile: {soft: 1024, hard: 2048}}
      x-note: fine
    image: shop/web:dev
    command: ["npm", "run", "dev"]
    entrypoint: /docker-entrypoint.sh
    environment:
      - NODE_ENV=development
      - API_URL
    env_file:
      - .env
      - path: .env.local
        required: false
    ports:
      - 3000
      - "8080:80"
      - "127.0.0.1:9229:9229/tcp"
      - target: 443
        published: "8443"
        host_ip: 0.0.0.0
        protocol: tcp
        mode: host
        app_protocol: https
        name: tls
    expose: ["3001", 3002]
    volumes:
      - ./web:/app:cached
      - node_modules:/app/node_modules
      - type: bind
        source: ./config
        target: /etc/app
        read_only: true
        bind: {create_host_path: false, propagation: rprivate, selinux: z, recursive: readonly}
      - type: volume
        source: cache
        target: /cache
        volume: {nocopy: true, subpath: web, labels: {tier: cache}}
      - type: tmpfs
        target: /tmp
        tmpfs: {size: 65536, mode: 1777}
      - type: image
        source: alpine:3.20
        target: /opt/alpine
        image: {subpath: usr}
    depends_on:
      db: {condition: service_healthy, restart: true}
      cache: {condition: service_started, required: false}
      migrate: {condition: service_completed_successfully}
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:3000/health"]
      interval: 10s
      timeout: 3s
      retries: 5
      start_period: 30s
      start_interval: 2s
    develop:
      watch:
        - path: ./web/src
          action: sync
          target: /app/src
          ignore: [node_modules/, "*.test.ts"]
          initial_sync: true
        - path: ./web/package.json
          action: rebuild
        - path: ./web/config
          action: sync+exec
          target: /app/config
          exec: {command: [kill, -HUP, "1"], user: root}
    networks:
      front:
        aliases: [www]
        ipv4_address: 172.20.0.10
        priority: 100
        gw_priority: 1
        driver_opts: {com.example.mtu: 1400}
      back: {}
    extra_hosts: ["host.docker.internal=host-gateway", "somehost:162.242.195.82"]
    labels: {com.example.team: shop, com.example.tier: 1}
    annotations: [com.example.note=hi]
    profiles: [dev, debug]
    secrets:
      - db_password
      - source: api_key
        target: /run/secrets/api
        uid: "1000"
        gid: "1000"
        mode: 0440
    configs: [nginx_conf]
    post_start:
      - command: ./post-start.sh
        user: root
        privileged: true
        environment: {PHASE: post}
    pre_stop:
      - command: [./drain.sh]
    pre_start:
      - command: ./prepare.sh
        image: busybox
        per_replica: false
    ulimits:
      nproc: 65535
      nofile: {soft: 20000, hard: 40000}
    sysctls: {net.core.somaxconn: 1024}
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    security_opt: [no-new-privileges:true]
    tmpfs: /run
    dns: [8.8.8.8, 1.1.1.1]
    dns_search: example.com
    stop_grace_period: 1m30s
    stop_signal: SIGINT
    tty: true
    stdin_open: true
    init: true
    pull_policy: missing
    platform: linux/amd64
    attach: false
    mem_limit: 512m
    cpus: 0.5
    pids_limit: 200
    shm_size: 64m
    gpus: all
    x-custom: {anything: [goes]}
  db:
    image: postgres:16
    container_name: shop-db
    environment: {POSTGRES_PASSWORD_FILE: /run/secrets/db_password, POSTGRES_DB: shop, EMPTY: null, FLAG: true}
    volumes: ["db-data:/var/lib/postgresql/data"]
    healthcheck:
      test: pg_isready -U postgres
      disable: false
    deploy:
      mode: replicated
      replicas: 1
      endpoint_mode: vip
      labels: [com.example.db=primary]
      resources:
        limits: {cpus: "1.5", memory: 1g, pids: 100}
        reservations:
          cpus: "0.25"
          memory: 256m
          devices:
            - capabilities: [gpu]
              count: 1
              driver: nvidia
          generic_resources:
            - discrete_resource_spec: {kind: ssd, value: 1}
      restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 120s}
      update_config: {parallelism: 2, delay: 10s, order: stop-first, failure_action: rollback, max_failure_ratio: 0.1}
      rollback_config: {parallelism: 1, order: start-first}
      placement:
        constraints: [node.role == manager]
        preferences: [{spread: node.labels.zone}]
        max_replicas_per_node: 1
    networks: [back]
    blkio_config:
      weight: 300
      weight_device: [{path: /dev/sda, weight: 400}]
      device_read_bps: [{path: /dev/sda, rate: 12mb}]
      device_write_iops: [{path: /dev/sda, rate: 120}]
    devices: ["/dev/ttyUSB0:/dev/ttyUSB0", {source: /dev/sda, target: /dev/xvda, permissions: rwm}]
    oom_score_adj: -500
    ipc: shareable
    cgroup: private
    credential_spec: {config: my-credential-spec}
    logging: {driver: syslog, options: {syslog-address: "tcp://192.168.0.42:123", tag: null}}
  migrate:
    extends: {service: db, file: ./base.yaml}
    command: ./migrate.sh
    network_mode: "service:db"
    provider: {type: model, options: {model: ai/smollm2, flags: [a, 1, true]}}
    models: {llm: {endpoint_var: LLM_URL, model_var: LLM_MODEL}, embed: null}
  cache:
    image: redis:7
    extends: base-cache
    networks: {back: null}
    volumes_from: ["db:ro"]
    links: ["db:database"]
    label_file: ./labels.env
    models: [llm]
  x-not-an-extension:
    image: busybox
networks:
  front:
    driver: bridge
    driver_opts: {com.docker.network.bridge.name: br-front, mtu: 1500}
    ipam:
      driver: default
      config:
        - subnet: 172.20.0.0/16
          ip_range: 172.20.5.0/24
          gateway: 172.20.0.1
          aux_addresses: {host1: 172.20.1.5}
    enable_ipv6: false
    attachable: true
    labels: {tier: front}
  back:
    internal: true
  outside:
    external: true
    name: corp-net
  legacy:
    external: {name: old-net}
  default:
volumes:
  db-data:
  node_modules: {}
  cache: {driver: local, driver_opts: {type: tmpfs, device: tmpfs}, labels: [a=b]}
  shared: {external: true}
configs:
  nginx_conf: {file: ./nginx.conf}
  inline: {content: "hello $\${USER}"}
  from_env: {environment: CONFIG_VALUE, x-doc: yes}
secrets:
  db_password: {file: ./secrets/db_password.txt}
  api_key: {environment: API_KEY}
models:
  llm: {model: ai/smollm2, context_size: 4096, runtime_flags: [--no-prefill]}
x-anything-goes: [1, 2, 3]
`;

describe('validateModel: valid files', () => {
  it('runs the build-time validator (run schema/build-validator.mjs, i.e. npm run build)', () => {
    assert.equal(composeValidatorKind, 'generated');
  });

  it('accepts a large realistic file with zero diagnostics', () => {
    assert.deepEqual(check(REALISTIC), []);
  });

  it('accepts interpolation-shaped strings where booleans and numbers are expected', () => {
    const yaml = [
      'services:',
      '  web:',
      '    image: x',
      '    privileged: "${PRIV}"',
      '    read_only: "true"',
      '    scale: "${SCALE:-1}"',
      '    cpus: "${CPUS}"',
      '    oom_score_adj: "${ADJ}"',
      '    ports: [{target: "${PORT}", published: "${PUB}"}]',
      '    depends_on: {db: {condition: service_started, required: "${REQ}"}}',
      '    healthcheck: {retries: "${RETRIES}", disable: "false"}',
      '    ulimits: {nofile: "${NOFILE}", nproc: {soft: "${S}", hard: "${H}"}}',
      '    deploy: {replicas: "${N}", resources: {limits: {pids: "${P}"}}}',
      'networks:',
      '  n: {external: "${EXT}", internal: "false"}',
    ].join('\n');
    assert.deepEqual(check(yaml), []);
  });

  it('gives the same diagnostics when the schema is compiled at runtime', async () => {
    const runtime = await compileComposeSchema();
    const model = parse('services:\n  web:\n    image: 1\n    privilegd: true\n    ports: [{}]\n');
    assert.equal(runtime(model), false);
    const fromRuntime = schemaIssues(runtime.errors ?? [], model);
    const diags = new DiagnosticBag();
    validateModel(model, diags);
    assert.deepEqual(
      fromRuntime.map((i) => i.message),
      diags.items.map((d) => d.message),
    );
    assert.equal(runtime(parse(REALISTIC)), true);
  });

  it('validates 500 services', () => {
    const services = Array.from({ length: 500 }, (_, i) => `  s${i}:\n    image: app:${i}\n    ports: ["${8000 + i}:80"]\n    environment: {N: ${i}}\n    depends_on: {db: {condition: service_healthy}}\n`);
    const diags = new DiagnosticBag();
    validateModel(parse(`services:\n${services.join('')}`), diags);
    assert.equal(diags.items.length, 0);
  });
});
