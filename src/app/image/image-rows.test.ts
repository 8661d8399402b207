import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImageInfo } from '../../engine/engine.js';
import { imageRows, inspectObject } from './image-rows.js';

const ID_A = `sha256:${'a'.repeat(64)}`;
const ID_B = `sha256:${'b'.repeat(64)}`;
const ID_C = `sha256:${'c'.repeat(64)}`;
const DIGEST = `sha256:${'d'.repeat(64)}`;

function info(id: string, repoTags: string[], repoDigests: string[] = []): ImageInfo {
  return { id, repoTags, repoDigests, labels: {}, created: 1_700_000_000, size: 1234, config: { env: [], exposedPorts: [], volumes: [] } };
}

describe('imageRows', () => {
  const list = [
    info(ID_A, ['reg:5000/app:v2', 'busybox:latest'], [`busybox@${DIGEST}`]),
    info(ID_B, [], [`reg:5000/app@${DIGEST}`]),
    info(ID_C, []),
  ];

  it('gives one row per tag (digests matched by repository), then digest-only and dangling images', () => {
    const rows = imageRows(list).map((r) => [r.repository, r.tag, r.digest, r.id.slice(7, 8)]);
    assert.deepEqual(rows, [
      ['busybox', 'latest', DIGEST, 'a'],
      ['reg:5000/app', 'v2', '<none>', 'a'],
      ['reg:5000/app', '<none>', DIGEST, 'b'],
      ['<none>', '<none>', '<none>', 'c'],
    ]);
  });

  it('filters by REPOSITORY or REPOSITORY:TAG', () => {
    assert.deepEqual(imageRows(list, 'reg:5000/app').map((r) => r.tag), ['v2', '<none>']);
    assert.deepEqual(imageRows(list, 'reg:5000/app:v2').map((r) => r.id), [ID_A]);
    assert.deepEqual(imageRows(list, 'busybox:1'), []);
  });
});

describe('inspectObject', () => {
  it("shapes Docker's inspect fields from the record and the raw config", () => {
    const obj = inspectObject(info(ID_A, ['busybox:latest']), { id: ID_A, configDigest: ID_A, manifestDigest: DIGEST, repoTags: [], repoDigests: [], layers: [], created: 0, size: 1234 }, {
      created: '2026-01-02T03:04:05Z',
      architecture: 'arm64',
      variant: 'v8',
      os: 'linux',
      comment: 'Imported from -',
      config: { Env: ['A=1'] },
      rootfs: { type: 'layers', diff_ids: [DIGEST] },
    });
    assert.deepEqual(obj, {
      Id: ID_A, RepoTags: ['busybox:latest'], RepoDigests: [], Comment: 'Imported from -', Created: '2026-01-02T03:04:05Z', Author: '',
      Config: { Env: ['A=1'] }, Architecture: 'arm64', Variant: 'v8', Os: 'linux', Size: 1234, RootFS: { Type: 'layers', Layers: [DIGEST] }, ManifestDigest: DIGEST,
    });
  });
});
