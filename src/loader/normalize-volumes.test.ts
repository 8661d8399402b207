import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isBindSource, parseVolumeSpec, splitVolumeSpec } from './normalize-volumes.js';

void describe('parseVolumeSpec', () => {
  void it('anonymous volume', () => assert.deepEqual(parseVolumeSpec('/data'), { type: 'volume', target: '/data', volume: {} }));
  void it('named volume', () =>
    assert.deepEqual(parseVolumeSpec('db:/var/lib/db'), { type: 'volume', source: 'db', target: '/var/lib/db', volume: {} }));
  void it('relative bind, read-only', () =>
    assert.deepEqual(parseVolumeSpec('./src:/app/:ro'), {
      type: 'bind',
      source: './src',
      target: '/app',
      read_only: true,
      bind: { create_host_path: true },
    }));
  void it('home and absolute binds with propagation and selinux', () => {
    assert.deepEqual(parseVolumeSpec('~/cfg:/etc/cfg:rshared,Z'), {
      type: 'bind',
      source: '~/cfg',
      target: '/etc/cfg',
      bind: { propagation: 'rshared', create_host_path: true, selinux: 'Z' },
    });
    assert.deepEqual(parseVolumeSpec('/opt:/opt:rw,bogus'), {
      type: 'bind',
      source: '/opt',
      target: '/opt',
      bind: { create_host_path: true },
    });
  });
  void it('nocopy on a named volume', () =>
    assert.deepEqual(parseVolumeSpec('data:/d:nocopy'), { type: 'volume', source: 'data', target: '/d', volume: { nocopy: true } }));
  void it('cleans the target', () => assert.equal(parseVolumeSpec('vol:/a/./b/../c//')['target'], '/a/c'));
  void it('Windows drive letters and ${…} are not split', () => {
    assert.deepEqual(splitVolumeSpec('C:\\data:/data'), ['C:\\data', '/data']);
    assert.deepEqual(splitVolumeSpec('${A:-x}:/d'), ['${A:-x}', '/d']);
    assert.equal(parseVolumeSpec('C:\\data:/data')['type'], 'bind');
  });
  void it('bind detection', () => {
    for (const s of ['.', '..', './x', '/x', '~', '~/x', '\\\\host\\share', 'c:\\x']) assert.equal(isBindSource(s), true, s);
    for (const s of ['data', '', 'my.vol']) assert.equal(isBindSource(s), false, s);
  });
  void it('errors', () => {
    assert.throws(() => parseVolumeSpec('ab::c'), /invalid spec: ab::c: empty section between colons/);
    assert.throws(() => parseVolumeSpec('ab:/c:ro:x'), /invalid spec: ab:\/c:ro:x: too many colons/);
    // A one-letter source reads as a Windows drive, as in compose-go.
    assert.deepEqual(splitVolumeSpec('v:/a'), ['v:/a']);
  });
});
