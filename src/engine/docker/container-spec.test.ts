import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerSpec } from '../engine.js';
import { toSummary } from './container-mapping.js';
import { toCreateBody } from './container-spec.js';
import { toEngineError } from './errors.js';

const base: ContainerSpec = {
  name: 'p-web-1', image: 'img', labels: { a: 'b' }, env: ['X=1'], tty: false, stdinOpen: false, exposedPorts: ['9000'],
  ports: [], mounts: [], networkMode: 'p_default', networks: [], links: [], extraHosts: [], dns: [], dnsSearch: [], dnsOptions: [],
  restartPolicy: { name: 'no' }, init: false, privileged: false, readOnlyRootfs: false, capAdd: [], capDrop: [], securityOpt: [],
  sysctls: {}, ulimits: [], tmpfs: {}, devices: [], groupAdd: [], resources: {}, volumesFrom: [],
};

describe('container spec mapping', () => {
  it('maps ports, mounts, networks, healthcheck and resources', () => {
    const body = toCreateBody({
      ...base,
      entrypoint: [], command: ['run'],
      ports: [
        { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '8080' },
        { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: '' },
        { containerPort: 53, protocol: 'udp', hostIp: '', hostPort: '5300-5310' },
      ],
      mounts: [
        { type: 'bind', source: '/h', target: '/c', readOnly: true, createHostPath: true, selinux: 'z' },
        { type: 'bind', source: '/h2', target: '/c2', readOnly: false, createHostPath: false, propagation: 'rshared' },
        { type: 'volume', source: 'p_data', target: '/data', readOnly: false, noCopy: true },
        { type: 'volume', target: '/anon', readOnly: false, noCopy: false },
        { type: 'tmpfs', target: '/t', sizeBytes: 1024, mode: 0o1777, readOnly: false },
      ],
      networks: [{ network: 'p_default', aliases: ['web'], ipv4Address: '10.0.0.5' }, { network: 'p_other', aliases: [] }],
      restartPolicy: { name: 'on-failure', maximumRetryCount: 3 },
      healthcheck: { test: ['CMD', 'true'], intervalMs: 1500, retries: 2 },
      resources: { memoryBytes: 1000, nanoCpus: 500_000_000 },
      ulimits: [{ name: 'nofile', soft: 10, hard: 20 }],
      devices: [{ source: '/dev/fuse', target: '/dev/fuse', permissions: 'rwm' }],
    });
    assert.deepEqual(body.Entrypoint, ['']);
    assert.deepEqual(body.Cmd, ['run']);
    assert.deepEqual(body.ExposedPorts, { '9000/tcp': {}, '80/tcp': {}, '53/udp': {} });
    assert.deepEqual(body.Healthcheck, { Test: ['CMD', 'true'], Interval: 1_500_000_000, Retries: 2 });
    assert.deepEqual(body.NetworkingConfig, { EndpointsConfig: { p_default: { Aliases: ['web'], IPAMConfig: { IPv4Address: '10.0.0.5' } } } });
    const host = body.HostConfig as Record<string, unknown>;
    assert.deepEqual(host.PortBindings, {
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }, { HostIp: '', HostPort: '' }],
      '53/udp': [{ HostIp: '', HostPort: '5300-5310' }],
    });
    assert.deepEqual(host.Binds, ['/h:/c:ro,z']);
    assert.deepEqual(host.Mounts, [
      { Type: 'bind', Source: '/h2', Target: '/c2', ReadOnly: false, BindOptions: { Propagation: 'rshared' } },
      { Type: 'volume', Target: '/data', ReadOnly: false, Source: 'p_data', VolumeOptions: { NoCopy: true } },
      { Type: 'volume', Target: '/anon', ReadOnly: false },
      { Type: 'tmpfs', Target: '/t', ReadOnly: false, TmpfsOptions: { SizeBytes: 1024, Mode: 0o1777 } },
    ]);
    assert.deepEqual(host.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
    assert.equal(host.Memory, 1000);
    assert.equal(host.NanoCpus, 500_000_000);
    assert.deepEqual(host.Ulimits, [{ Name: 'nofile', Soft: 10, Hard: 20 }]);
    assert.deepEqual(host.Devices, [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' }]);
  });

  it('attaches no endpoint for host, none and container: modes', () => {
    for (const mode of ['host', 'none', 'container:abc']) {
      const body = toCreateBody({ ...base, networkMode: mode, networks: [{ network: 'p_default', aliases: [] }] });
      assert.equal(body.NetworkingConfig, undefined, mode);
      assert.equal((body.HostConfig as Record<string, unknown>).NetworkMode, mode);
    }
  });

  it('reads health and ports from a list entry', () => {
    const s = toSummary({
      Id: 'id', Names: ['/p-web-1'], Image: 'img', ImageID: 'sha256:x', Command: 'run', Labels: {}, State: 'running',
      Status: 'Up 2 minutes (health: starting)', Created: 5,
      Ports: [{ IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
        { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { PrivatePort: 9000, Type: 'tcp' }],
      NetworkSettings: { Networks: { b: {}, a: {} } },
    });
    assert.equal(s.name, 'p-web-1');
    assert.equal(s.health, 'starting');
    assert.deepEqual(s.networks, ['a', 'b']);
    assert.deepEqual(s.ports, [
      { containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 },
      { containerPort: 80, protocol: 'tcp', hostIp: '::', hostPort: 8080 },
      { containerPort: 9000, protocol: 'tcp', hostIp: '', hostPort: 0 },
    ]);
  });

  it('classifies errors by status code and keeps the daemon message', () => {
    const e = toEngineError(Object.assign(new Error('(HTTP code 409) unexpected - Conflict. The name is in use '), { statusCode: 409, json: { message: 'Conflict. The name is in use' } }), 'create container', 'web-1');
    assert.deepEqual([e.kind, e.operation, e.resource, e.message], ['conflict', 'create container', 'web-1', 'create container web-1: Conflict. The name is in use']);
    assert.equal(toEngineError(Object.assign(new Error('x'), { statusCode: 404 }), 'o', 'r').kind, 'not-found');
    assert.equal(toEngineError(Object.assign(new Error('x'), { statusCode: 501 }), 'o', 'r').kind, 'unsupported');
    assert.equal(toEngineError(Object.assign(new Error('x'), { statusCode: 500 }), 'o', 'r').kind, 'failed');
    const down = toEngineError(Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' }), 'ping', 'unix:///var/run/docker.sock');
    assert.equal(down.kind, 'unavailable');
    assert.equal(down.message, 'ping unix:///var/run/docker.sock: cannot reach the Docker Engine: connect ENOENT /var/run/docker.sock');
  });
});
