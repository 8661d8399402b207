import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serviceConfigHash } from '../model/config-hash.js';
import { BERTH_VERSION } from '../version.js';
import { buildContainerSpec } from './container-spec.js';
import { SpecError } from './spec-error.js';
import { testProject } from './test-fixtures.js';

const project = testProject(
  {
    db: { image: 'db' },
    web: {
      image: 'nginx',
      command: ['nginx', '-g', 'daemon off;'],
      entrypoint: null,
      environment: { A: '1', B: null },
      ports: [{ mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' }, { mode: 'ingress', host_ip: '127.0.0.1', target: 53, published: '5300-5301', protocol: 'udp' }],
      expose: ['3000'],
      volumes: [
        { type: 'volume', source: 'data', target: '/data' },
        { type: 'volume', target: '/anon' },
        { type: 'bind', source: '/w/x', target: '/x', read_only: true, bind: { create_host_path: true } },
        { type: 'tmpfs', target: '/t', tmpfs: { size: '64m' } },
      ],
      depends_on: { db: { condition: 'service_healthy', required: true, restart: true } },
      links: ['db:database'],
      healthcheck: { test: ['CMD', 'true'], interval: '1m30s', retries: 3 },
      deploy: { resources: { limits: { memory: '64M', cpus: '0.5' } }, restart_policy: { condition: 'on-failure', max_attempts: 3 } },
      stop_grace_period: '1500ms',
      shm_size: '2g',
      extra_hosts: { 'h.local': ['10.0.0.1'] },
      ulimits: { nofile: { soft: 10, hard: 20 }, nproc: 5 },
      configs: [{ source: 'c' }],
      secrets: [{ source: 's', target: '/run/secrets/s' }],
      labels: { mine: 'yes' },
      networks: { default: { aliases: ['www'] } },
    },
  },
  {
    volumes: { data: { name: 'p_data' } },
    configs: { c: { name: 'p_c', content: 'hello' } },
    secrets: { s: { name: 'p_s', file: '/w/s.txt' } },
    envFiles: ['/w/.env.prod'],
  },
);

const db = { id: 'dbid', name: 'p-db-1' };

describe('buildContainerSpec', () => {
  it('maps a representative service exactly', () => {
    const web = project.services['web']!;
    const { spec, copies } = buildContainerSpec({
      project,
      service: web,
      number: 2,
      imageId: 'sha256:abc',
      serviceContainer: (s) => (s === 'db' ? db : undefined),
      replaces: { name: 'web-2', mounts: [{ type: 'volume', name: 'oldanon', source: '', target: '/anon', readOnly: false }] },
    });
    assert.deepEqual(spec.labels, {
      mine: 'yes',
      'com.docker.compose.project': 'p',
      'com.docker.compose.service': 'web',
      'com.docker.compose.version': BERTH_VERSION,
      'com.docker.compose.project.working_dir': '/w',
      'com.docker.compose.project.config_files': '/w/compose.yaml',
      'com.docker.compose.project.environment_file': '/w/.env.prod',
      'com.docker.compose.config-hash': serviceConfigHash(web),
      'com.docker.compose.depends_on': 'db:service_healthy:true',
      'com.docker.compose.image': 'sha256:abc',
      'com.docker.compose.oneoff': 'False',
      'com.docker.compose.container-number': '2',
      'com.docker.compose.replace': 'web-2',
    });
    assert.equal(spec.name, 'p-web-2');
    assert.equal(spec.image, 'nginx');
    assert.deepEqual(spec.command, ['nginx', '-g', 'daemon off;']);
    assert.equal(spec.entrypoint, undefined);
    assert.deepEqual(spec.env, ['A=1']);
    assert.deepEqual(spec.ports, [
      { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: '8080' },
      { containerPort: 53, protocol: 'udp', hostIp: '127.0.0.1', hostPort: '5300-5301' },
    ]);
    assert.deepEqual(spec.exposedPorts, ['3000/tcp', '53/udp', '80/tcp']);
    assert.deepEqual(spec.mounts, [
      { type: 'volume', source: 'p_data', target: '/data', readOnly: false, noCopy: false },
      { type: 'volume', source: 'oldanon', target: '/anon', readOnly: false, noCopy: false },
      { type: 'bind', source: '/w/x', target: '/x', readOnly: true, createHostPath: true },
      { type: 'tmpfs', target: '/t', readOnly: false, sizeBytes: 64 * 1024 * 1024 },
      { type: 'bind', source: '/w/s.txt', target: '/run/secrets/s', readOnly: true, createHostPath: false },
    ]);
    assert.deepEqual(copies, [{ target: '/c', content: 'hello', uid: 0, gid: 0, mode: 0o444 }]);
    assert.equal(spec.networkMode, 'p_default');
    assert.deepEqual(spec.networks, [{ network: 'p_default', aliases: ['web', 'www'] }]);
    assert.deepEqual(spec.links, ['p-db-1:database']);
    assert.deepEqual(spec.healthcheck, { test: ['CMD', 'true'], intervalMs: 90_000, retries: 3 });
    assert.deepEqual(spec.restartPolicy, { name: 'on-failure', maximumRetryCount: 3 });
    assert.deepEqual(spec.resources, { memoryBytes: 64 * 1024 * 1024, nanoCpus: 500_000_000 });
    assert.equal(spec.stopTimeoutSeconds, 2);
    assert.equal(spec.shmSizeBytes, 2 * 1024 ** 3);
    assert.deepEqual(spec.extraHosts, ['h.local:10.0.0.1']);
    assert.deepEqual(spec.ulimits, [{ name: 'nofile', soft: 10, hard: 20 }, { name: 'nproc', soft: 5, hard: 5 }]);
  });

  it('makes one-off containers: oneoff label, slug, no ports, no restart, no aliases', () => {
    const { spec } = buildContainerSpec({ project, service: project.services['web']!, number: 0, serviceContainer: () => db, oneOff: { slug: 'a'.repeat(64), publishPorts: false, useAliases: false } });
    assert.equal(spec.name, 'p-web-run-aaaaaaaaaaaa');
    assert.equal(spec.labels['com.docker.compose.oneoff'], 'True');
    assert.equal(spec.labels['com.docker.compose.slug'], 'a'.repeat(64));
    assert.equal(spec.labels['com.docker.compose.container-number'], undefined);
    assert.deepEqual(spec.ports, []);
    assert.deepEqual(spec.restartPolicy, { name: 'no' });
    assert.deepEqual(spec.networks[0]?.aliases, []);
  });

  it('resolves service: modes and rejects unusable secrets', () => {
    const p = testProject(
      { net: { image: 'x' }, app: { image: 'x', network_mode: 'service:net', ipc: 'service:net', volumes_from: ['net:ro'], healthcheck: { disable: true } } },
      { secrets: { e: { name: 'p_e', environment: 'MISSING' } } },
    );
    const { spec } = buildContainerSpec({ project: p, service: p.services['app']!, number: 1, serviceContainer: () => ({ id: 'netid', name: 'p-net-1' }) });
    assert.equal(spec.networkMode, 'container:netid');
    assert.equal(spec.ipcMode, 'container:netid');
    assert.deepEqual(spec.volumesFrom, ['netid:ro']);
    assert.deepEqual(spec.networks, []);
    assert.deepEqual(spec.healthcheck, { test: ['NONE'] });
    const withSecret = { ...p.services['app']!, secrets: [{ source: 'e' }] };
    assert.throws(() => buildContainerSpec({ project: p, service: withSecret, number: 1, serviceContainer: () => db }), new SpecError('environment variable "MISSING" required by secret "e" is not set'));
  });
});
