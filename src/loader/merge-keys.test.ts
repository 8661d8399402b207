import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { envFilePath, fileRefTarget, hostEntryKey, mountTarget, portKey, splitVolumeSpec } from './merge-keys.js';

void describe('merge identity keys', () => {
  void it('portKey: short and long syntax give the same key', () => {
    assert.equal(portKey('80'), '0.0.0.0::80/tcp');
    assert.equal(portKey(80), '0.0.0.0::80/tcp');
    assert.equal(portKey('8080:80'), '0.0.0.0:8080:80/tcp');
    assert.equal(portKey('127.0.0.1:8080:80/udp'), '127.0.0.1:8080:80/udp');
    assert.equal(portKey('127.0.0.1::80'), '127.0.0.1::80/tcp');
    assert.equal(portKey('[::1]:8000-8001:80-81'), '::1:8000-8001:80-81/tcp');
    assert.equal(portKey({ target: 80, published: 8080, host_ip: '127.0.0.1', protocol: 'udp' }), '127.0.0.1:8080:80/udp');
    assert.equal(portKey({ published: 8080 }), undefined);
    assert.equal(portKey(null), undefined);
  });

  void it('splitVolumeSpec keeps ${…} and Windows drive letters together', () => {
    assert.deepEqual(splitVolumeSpec('./a:/b:ro'), ['./a', '/b', 'ro']);
    assert.deepEqual(splitVolumeSpec('C:\\data:/data'), ['C:\\data', '/data']);
    assert.deepEqual(splitVolumeSpec('c:/data:/data:rw'), ['c:/data', '/data', 'rw']);
    assert.deepEqual(splitVolumeSpec('${SRC:-./x}:${DST:-/y}'), ['${SRC:-./x}', '${DST:-/y}']);
    assert.deepEqual(splitVolumeSpec('${A:-${B:-c:d}}:/t'), ['${A:-${B:-c:d}}', '/t']);
  });

  void it('mountTarget: second field, the only field, or `target`', () => {
    assert.equal(mountTarget('./a:/data:ro'), '/data');
    assert.equal(mountTarget('/anon'), '/anon');
    assert.equal(mountTarget({ type: 'tmpfs', target: '/t' }), '/t');
    assert.equal(mountTarget(3), undefined);
  });

  void it('fileRefTarget: secrets under /run/secrets, configs under /', () => {
    assert.equal(fileRefTarget('s', 'secrets'), '/run/secrets/s');
    assert.equal(fileRefTarget({ source: 's', target: 'x' }, 'secrets'), '/run/secrets/x');
    assert.equal(fileRefTarget({ source: 's', target: '/etc/x' }, 'secrets'), '/etc/x');
    assert.equal(fileRefTarget('c', 'configs'), '/c');
    assert.equal(fileRefTarget({ source: 'c', target: '/etc/c' }, 'configs'), '/etc/c');
  });

  void it('hostEntryKey and envFilePath', () => {
    assert.equal(hostEntryKey('h:1.1.1.1'), 'h=1.1.1.1');
    assert.equal(hostEntryKey('h:::1'), 'h=::1');
    assert.equal(hostEntryKey('h=::1'), 'h=::1');
    assert.equal(envFilePath({ path: './a', required: false }), './a');
    assert.equal(envFilePath('./a'), './a');
  });
});
