import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Healthcheck, ServiceConfig } from './project.js';
import { canonicalJson, networkConfigHash, serviceConfigHash, volumeConfigHash } from './config-hash.js';

function base(): ServiceConfig {
  return {
    name: 'web',
    image: 'nginx:1.27',
    environment: { A: '1', B: null },
    ports: [{ mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' }],
    networks: { default: null },
    labels: { 'x-team': 'core' },
  };
}

const hashOf = (patch: Partial<ServiceConfig>): string => serviceConfigHash({ ...base(), ...patch });

void describe('canonicalJson', () => {
  void it('sorts keys recursively, drops undefined, keeps array order and null', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined }], c: null }, u: undefined }),
      '{"a":{"c":null,"d":[3,{"z":1}]},"b":1}',
    );
  });
});

void describe('serviceConfigHash', () => {
  void it('is the sha256 of the canonical JSON without name', () => {
    const expected = createHash('sha256')
      .update(
        '{"environment":{"A":"1","B":null},"image":"nginx:1.27","labels":{"x-team":"core"},' +
          '"networks":{"default":null},"ports":[{"mode":"ingress","protocol":"tcp","published":"8080","target":80}]}',
      )
      .digest('hex');
    assert.equal(serviceConfigHash(base()), expected);
    assert.match(expected, /^[0-9a-f]{64}$/);
  });

  void it('does not depend on key order', () => {
    const reordered: ServiceConfig = {
      labels: { 'x-team': 'core' },
      networks: { default: null },
      ports: [{ protocol: 'tcp', published: '8080', target: 80, mode: 'ingress' }],
      environment: { B: null, A: '1' },
      image: 'nginx:1.27',
      name: 'web',
    };
    assert.equal(serviceConfigHash(reordered), serviceConfigHash(base()));
  });

  void it('ignores build, pull_policy, scale, deploy.replicas, depends_on, profiles, name and extensions', () => {
    const h = serviceConfigHash(base());
    assert.equal(hashOf({ name: 'other' }), h);
    assert.equal(hashOf({ build: { context: '/src', dockerfile: 'Dockerfile' } }), h);
    assert.equal(hashOf({ pull_policy: 'always' }), h);
    assert.equal(hashOf({ scale: 3 }), h);
    assert.equal(hashOf({ deploy: { replicas: 2 } }), h, 'deploy left empty is dropped');
    assert.equal(hashOf({ depends_on: { db: { condition: 'service_healthy', required: true } } }), h);
    assert.equal(hashOf({ profiles: ['debug'] }), h);
    assert.equal(hashOf({ 'x-custom': { any: 'thing' } }), h);
  });

  void it('keeps the rest of deploy', () => {
    const withLimits = hashOf({ deploy: { replicas: 2, resources: { limits: { memory: '512m' } } } });
    assert.equal(hashOf({ deploy: { replicas: 5, resources: { limits: { memory: '512m' } } } }), withLimits);
    assert.notEqual(withLimits, serviceConfigHash(base()));
    assert.notEqual(hashOf({ deploy: { resources: { limits: { memory: '1g' } } } }), withLimits);
  });

  void it('drops extensions nested in structured attributes but not keys of free-form maps', () => {
    const h = serviceConfigHash(base());
    assert.equal(hashOf({ healthcheck: { test: ['NONE'], 'x-note': 'a' } as Healthcheck }), hashOf({ healthcheck: { test: ['NONE'] } }));
    assert.notEqual(hashOf({ labels: { 'x-team': 'other' } }), h);
    assert.notEqual(hashOf({ environment: { A: '1', B: null, 'x-var': 'v' } }), h);
  });

  void it('changes when a runtime attribute changes', () => {
    const h = serviceConfigHash(base());
    const variants: Array<Partial<ServiceConfig>> = [
      { image: 'nginx:1.28' },
      { environment: { A: '2', B: null } },
      { environment: { A: '1', B: '' } },
      { ports: [{ mode: 'ingress', target: 80, published: '8081', protocol: 'tcp' }] },
      { networks: { front: null } },
      { command: ['nginx', '-g', 'daemon off;'] },
      { volumes: [{ type: 'volume', source: 'data', target: '/data' }] },
      { network_mode: 'host' },
      { restart: 'always' },
    ];
    const seen = new Set([h]);
    for (const v of variants) {
      const other = hashOf(v);
      assert.notEqual(other, h, JSON.stringify(v));
      seen.add(other);
    }
    assert.equal(seen.size, variants.length + 1, 'every variant hashes differently');
  });
});

void describe('networkConfigHash / volumeConfigHash', () => {
  void it('hashes networks independently of key order and extensions', () => {
    const a = networkConfigHash({ name: 'p_front', driver: 'bridge', labels: { a: '1' } });
    assert.equal(networkConfigHash({ labels: { a: '1' }, driver: 'bridge', name: 'p_front', 'x-foo': 1 }), a);
    assert.notEqual(networkConfigHash({ name: 'p_front', driver: 'bridge', labels: { a: '2' } }), a);
    assert.notEqual(networkConfigHash({ name: 'p_front', driver: 'bridge', labels: { a: '1' }, internal: true }), a);
  });

  void it('defaults the volume driver to local', () => {
    assert.equal(volumeConfigHash({ name: 'p_data' }), volumeConfigHash({ name: 'p_data', driver: 'local' }));
    assert.notEqual(volumeConfigHash({ name: 'p_data' }), volumeConfigHash({ name: 'p_data', driver: 'nfs' }));
    assert.notEqual(volumeConfigHash({ name: 'p_data' }), volumeConfigHash({ name: 'p_other' }));
  });
});
