import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocateAddress, checkStaticAddress, defaultPools, pickSubnet, resolveIpamConfig } from './ipam.js';
import { cidrsOverlap, formatCidr, parseCidr, type Cidr } from './ipv4.js';

const cidr = (text: string): Cidr => {
  const c = parseCidr(text);
  assert.ok(c, text);
  return c;
};

describe('ipv4', () => {
  it('parses and normalises CIDRs', () => {
    assert.equal(formatCidr(cidr('10.1.2.3/8')), '10.0.0.0/8');
    assert.equal(formatCidr(cidr('192.168.1.7')), '192.168.1.7/32');
    assert.equal(parseCidr('256.1.1.1/8'), undefined);
    assert.equal(parseCidr('10.0.0.0/33'), undefined);
    assert.equal(cidrsOverlap(cidr('172.17.0.0/16'), cidr('172.17.5.1')), true);
    assert.equal(cidrsOverlap(cidr('172.17.0.0/16'), cidr('172.18.0.0/16')), false);
  });
});

describe('pickSubnet', () => {
  it("uses Docker's default pools, the 172 ones from the top down (away from a dockerd's)", () => {
    const pools = defaultPools().map(formatCidr);
    assert.equal(pools.length, 31);
    assert.deepEqual(pools.slice(0, 2), ['172.31.0.0/16', '172.30.0.0/16']);
    assert.deepEqual(pools.slice(14, 17), ['172.17.0.0/16', '192.168.0.0/20', '192.168.16.0/20']);
  });

  it('skips pools overlapping anything in use', () => {
    const used = [cidr('172.31.0.0/16'), cidr('172.30.3.0/24'), cidr('172.29.0.1')];
    assert.equal(formatCidr(pickSubnet(used) as Cidr), '172.28.0.0/16');
    const all172 = [cidr('172.16.0.0/12'), cidr('192.168.0.0/19')];
    assert.equal(formatCidr(pickSubnet(all172) as Cidr), '192.168.32.0/20');
    assert.equal(pickSubnet([cidr('0.0.0.0/0')]), undefined);
  });
});

describe('resolveIpamConfig', () => {
  it('fills in the gateway and validates the parts', () => {
    assert.deepEqual(resolveIpamConfig({ subnet: '10.9.0.0/24' }), { subnet: '10.9.0.0/24', gateway: '10.9.0.1', reserved: [] });
    assert.deepEqual(resolveIpamConfig({ subnet: '10.9.0.0/24', gateway: '10.9.0.254', ipRange: '10.9.0.128/25', auxAddresses: { b: '10.9.0.3', a: '10.9.0.2' } }), {
      subnet: '10.9.0.0/24', gateway: '10.9.0.254', ipRange: '10.9.0.128/25', reserved: ['10.9.0.2', '10.9.0.3'],
    });
    assert.equal(resolveIpamConfig({ subnet: '10.9.0.0' }), 'invalid subnet 10.9.0.0');
    assert.equal(resolveIpamConfig({ subnet: '10.9.0.0/24', gateway: '10.8.0.1' }), 'gateway 10.8.0.1 is not in subnet 10.9.0.0/24');
    assert.equal(resolveIpamConfig({ subnet: '10.9.0.0/24', ipRange: '10.9.1.0/25' }), 'ip range 10.9.1.0/25 is not in subnet 10.9.0.0/24');
    assert.equal(resolveIpamConfig({ subnet: '10.9.0.0/24', auxAddresses: { x: '1.2.3.4' } }), 'auxiliary address x=1.2.3.4 is not in subnet 10.9.0.0/24');
  });
});

describe('allocateAddress', () => {
  const net = { subnet: '10.9.0.0/29', gateway: '10.9.0.1', reserved: ['10.9.0.3'] };

  it('hands out the lowest free address, never network, broadcast, gateway or reserved ones', () => {
    assert.equal(allocateAddress(net, new Set()), '10.9.0.2');
    assert.equal(allocateAddress(net, new Set(['10.9.0.2'])), '10.9.0.4');
    assert.equal(allocateAddress(net, new Set(['10.9.0.2', '10.9.0.4', '10.9.0.5', '10.9.0.6'])), undefined);
  });

  it('stays inside the ip range', () => {
    assert.equal(allocateAddress({ subnet: '10.9.0.0/24', gateway: '10.9.0.1', ipRange: '10.9.0.128/25', reserved: [] }, new Set()), '10.9.0.128');
  });

  it('explains why a static address cannot be used', () => {
    assert.equal(checkStaticAddress(net, '10.9.0.4', new Set()), undefined);
    assert.equal(checkStaticAddress(net, '10.9.0.4', new Set(['10.9.0.4'])), 'address 10.9.0.4 is already in use');
    assert.equal(checkStaticAddress(net, '10.9.0.1', new Set()), 'address 10.9.0.1 is reserved in subnet 10.9.0.0/29');
    assert.equal(checkStaticAddress(net, '10.9.1.4', new Set()), 'address 10.9.1.4 is not in subnet 10.9.0.0/29');
    assert.equal(checkStaticAddress(net, 'x', new Set()), 'invalid IPv4 address x');
  });
});
