import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainIds, sha256Digest } from './digest.js';
import { parseManifest, selectPlatform } from './manifest.js';
import { canonicalTag, familiar, parseReference, registryHost } from './reference.js';
import { isInsecureRegistry } from './registry-client.js';
import { parseChallenge } from './registry-auth.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  it('defaults Docker Hub names to docker.io/library and tag latest', () => {
    assert.deepEqual(parseReference('busybox'), { domain: 'docker.io', path: 'library/busybox', tag: 'latest' });
    assert.deepEqual(parseReference('team/app:1.2'), { domain: 'docker.io', path: 'team/app', tag: '1.2' });
    assert.deepEqual(parseReference('index.docker.io/library/alpine:3'), { domain: 'docker.io', path: 'library/alpine', tag: '3' });
  });

  it('takes a first component with a dot, a port or localhost as the domain', () => {
    assert.deepEqual(parseReference('127.0.0.1:5000/probe/bb:2'), { domain: '127.0.0.1:5000', path: 'probe/bb', tag: '2' });
    assert.deepEqual(parseReference('localhost/x'), { domain: 'localhost', path: 'x', tag: 'latest' });
    assert.deepEqual(parseReference('ghcr.io/o/r'), { domain: 'ghcr.io', path: 'o/r', tag: 'latest' });
  });

  it('keeps a digest and adds no default tag then', () => {
    assert.deepEqual(parseReference(`busybox@${D}`), { domain: 'docker.io', path: 'library/busybox', digest: D });
    assert.deepEqual(parseReference(`r.io/a:t@${D}`), { domain: 'r.io', path: 'a', tag: 't', digest: D });
  });

  it('refuses malformed references', () => {
    assert.throws(() => parseReference('Busybox'), /must be lowercase/);
    assert.throws(() => parseReference('a:b:c'), /invalid reference format/);
    assert.throws(() => parseReference('busybox@sha256:xyz'), /invalid reference digest/);
    assert.throws(() => parseReference('busybox@sha512:abc'), /unsupported reference digest algorithm/);
  });

  it('shows canonical names in familiar form', () => {
    assert.equal(canonicalTag(parseReference('busybox')), 'docker.io/library/busybox:latest');
    assert.equal(familiar('docker.io/library/busybox:latest'), 'busybox:latest');
    assert.equal(familiar('docker.io/team/app:1'), 'team/app:1');
    assert.equal(familiar('127.0.0.1:5000/probe/bb:2'), '127.0.0.1:5000/probe/bb:2');
    assert.equal(registryHost('docker.io'), 'registry-1.docker.io');
  });
});

describe('registry helpers', () => {
  it('treats loopback and listed registries as insecure, others not', () => {
    assert.equal(isInsecureRegistry('127.0.0.1:5000', []), true);
    assert.equal(isInsecureRegistry('localhost:5000', []), true);
    assert.equal(isInsecureRegistry('[::1]:5000', []), true);
    assert.equal(isInsecureRegistry('reg.lan:5000', ['reg.lan:5000']), true);
    assert.equal(isInsecureRegistry('reg.lan:5000', ['reg.lan']), true);
    assert.equal(isInsecureRegistry('reg.lan:5000', ['other.lan']), false);
    assert.equal(isInsecureRegistry('docker.io', []), false);
  });

  it('parses WWW-Authenticate challenges with quoted commas', () => {
    assert.deepEqual(parseChallenge('Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull,push"'), {
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'reg', scope: 'repository:a/b:pull,push' },
    });
    assert.deepEqual(parseChallenge('Basic realm="basic-realm"'), { scheme: 'basic', params: { realm: 'basic-realm' } });
  });

  it('computes chain ids as the OCI spec defines them', () => {
    const a = sha256Digest('a');
    const b = sha256Digest('b');
    assert.deepEqual(chainIds([a, b]), [a, sha256Digest(`${a} ${b}`)]);
  });
});

describe('manifests', () => {
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'1'.repeat(64)}`, size: 10, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'2'.repeat(64)}`, size: 10, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'3'.repeat(64)}`, size: 10, platform: { os: 'unknown', architecture: 'unknown' } },
      ],
    }),
  );

  it('selects the platform from an index, matching arm64 with or without variant', () => {
    const parsed = parseManifest(index);
    assert.equal(parsed.kind, 'index');
    if (parsed.kind !== 'index') return;
    assert.equal(selectPlatform(parsed.manifests, { os: 'linux', architecture: 'amd64' }).digest, `sha256:${'1'.repeat(64)}`);
    assert.equal(selectPlatform(parsed.manifests, { os: 'linux', architecture: 'arm64' }).digest, `sha256:${'2'.repeat(64)}`);
    assert.equal(selectPlatform(parsed.manifests, { os: 'linux', architecture: 'arm64', variant: 'v8' }).digest, `sha256:${'2'.repeat(64)}`);
    assert.throws(() => selectPlatform(parsed.manifests, { os: 'linux', architecture: 's390x' }), {
      message: 'no matching manifest for linux/s390x in the manifest list (available: linux/amd64, linux/arm64/v8)',
    });
  });

  it('refuses schema 1 and descriptors with bad digests', () => {
    assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":1,"fsLayers":[]}')), /schema 1 manifests are not supported/);
    assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":2,"config":{"digest":"sha256:../../x","size":1},"layers":[]}')), /invalid config digest/);
  });
});
