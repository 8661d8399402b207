import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePorts, parsePortSpec } from './normalize-ports.js';

void describe('parsePortSpec', () => {
  void it('"3000" ⇒ target only', () => assert.deepEqual(parsePortSpec('3000'), [{ mode: 'ingress', target: 3000, protocol: 'tcp' }]));
  void it('"8000:8000" ⇒ published string', () =>
    assert.deepEqual(parsePortSpec('8000:8000'), [{ mode: 'ingress', target: 8000, published: '8000', protocol: 'tcp' }]));
  void it('"127.0.0.1:8001:8001" ⇒ host_ip', () =>
    assert.deepEqual(parsePortSpec('127.0.0.1:8001:8001'), [
      { mode: 'ingress', host_ip: '127.0.0.1', target: 8001, published: '8001', protocol: 'tcp' },
    ]));
  void it('"[::1]:6001:6001" ⇒ IPv6 host_ip without brackets', () =>
    assert.deepEqual(parsePortSpec('[::1]:6001:6001'), [
      { mode: 'ingress', host_ip: '::1', target: 6001, published: '6001', protocol: 'tcp' },
    ]));
  void it('"6060:6060/udp"', () =>
    assert.deepEqual(parsePortSpec('6060:6060/udp'), [{ mode: 'ingress', target: 6060, published: '6060', protocol: 'udp' }]));
  void it('"3000-3005" ⇒ 6 entries', () =>
    assert.deepEqual(
      parsePortSpec('3000-3005').map((p) => p.target),
      [3000, 3001, 3002, 3003, 3004, 3005],
    ));
  void it('"9090-9091:8080-8081" ⇒ 2 entries', () =>
    assert.deepEqual(parsePortSpec('9090-9091:8080-8081'), [
      { mode: 'ingress', target: 8080, published: '9090', protocol: 'tcp' },
      { mode: 'ingress', target: 8081, published: '9091', protocol: 'tcp' },
    ]));
  void it('"8000-9000:80" ⇒ one entry with a published range', () =>
    assert.deepEqual(parsePortSpec('8000-9000:80'), [{ mode: 'ingress', target: 80, published: '8000-9000', protocol: 'tcp' }]));
  void it('sorts entries by port/proto text like nat.ParsePortSpecs', () =>
    assert.deepEqual(
      parsePortSpec('9-10').map((p) => p.target),
      [10, 9],
    ));
  void it('errors', () => {
    assert.throws(() => parsePortSpec('1-2:3-5'), /invalid ranges specified for container and host Ports: 3-5 and 1-2/);
    assert.throws(() => parsePortSpec('80/xyz'), /invalid proto: xyz/);
    assert.throws(() => parsePortSpec('abc'), /invalid containerPort: abc/);
    assert.throws(() => parsePortSpec('1.2.3:80:80'), /invalid IP address: 1.2.3/);
  });
});

void describe('normalizePorts', () => {
  void it('expands numbers, defaults long form, stringifies published and removes duplicates', () => {
    const errors: string[] = [];
    const out = normalizePorts(
      [80, '8080:80', { target: 443, published: 8443 }, { target: 80, published: '8080', protocol: 'tcp', mode: 'host' }, 'x'],
      (i, m) => errors.push(`${i}: ${m}`),
    );
    assert.deepEqual(out, [
      { mode: 'ingress', target: 80, protocol: 'tcp' },
      { mode: 'host', target: 80, published: '8080', protocol: 'tcp' },
      { mode: 'ingress', target: 443, published: '8443', protocol: 'tcp' },
    ]);
    assert.deepEqual(errors, ['4: invalid containerPort: x']);
  });
});
