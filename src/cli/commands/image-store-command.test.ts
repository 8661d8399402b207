import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImageRow } from '../../app/image/image-rows.js';
import { imageJson, renderImageTable } from './image-store-command.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const rows: ImageRow[] = [
  { repository: 'busybox', tag: 'latest', digest: '<none>', id: `sha256:${'0123456789ab'.repeat(5)}0123`, created: NOW / 1000 - 120, size: 4_261_000 },
  { repository: '127.0.0.1:5000/team/app', tag: 'v1.2', digest: `sha256:${'d'.repeat(64)}`, id: `sha256:${'f'.repeat(64)}`, created: NOW / 1000 - 3 * 86400, size: 512 },
];

describe('renderImageTable', () => {
  it("lays out docker image ls's columns with human times and sizes", () => {
    assert.equal(
      renderImageTable(rows, NOW),
      [
        'REPOSITORY                TAG       IMAGE ID       CREATED         SIZE',
        'busybox                   latest    0123456789ab   2 minutes ago   4.26MB',
        '127.0.0.1:5000/team/app   v1.2      ffffffffffff   3 days ago      512B',
        '',
      ].join('\n'),
    );
  });

  it('prints only the header for an empty store', () => {
    assert.equal(renderImageTable([], NOW), 'REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n');
  });
});

describe('imageJson', () => {
  it('is one JSON array with full ids, ISO creation times and sizes in bytes', () => {
    assert.deepEqual(JSON.parse(imageJson(rows.slice(1))), [
      { ID: `sha256:${'f'.repeat(64)}`, Repository: '127.0.0.1:5000/team/app', Tag: 'v1.2', Digest: `sha256:${'d'.repeat(64)}`, CreatedAt: '2026-02-26T12:00:00.000Z', Size: 512 },
    ]);
  });
});
