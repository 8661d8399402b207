import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseExtraHost, parseLink, parseResolvConf, renderHosts, renderResolvConf, writeInPlace } from './hosts-file.js';
import type { EndpointNetwork, EndpointRecord } from './network-types.js';

const LOCAL = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';

function ep(networkId: string, networkName: string, ip: string, aliases: string[] = []): EndpointNetwork {
  return { networkId, networkName, ipv4Address: ip, prefixLength: 16, gateway: '172.20.0.1', macAddress: '', ifname: 'eth0', hostVeth: '', aliases };
}

function rec(id: string, name: string, networks: EndpointNetwork[], extra: Partial<EndpointRecord> = {}): EndpointRecord {
  return { containerId: id, containerName: name, hostname: id.slice(0, 12), netns: '', hostsPath: '', resolvConfPath: '', extraHosts: [], links: [], networks, ports: [], ...extra };
}

describe('renderHosts', () => {
  it('lists extra hosts, itself, links and peers on shared networks', () => {
    const web = rec('a'.repeat(64), 'p-web-1', [ep('n1', 'p_default', '172.20.0.2', ['web'])], {
      hostname: 'webhost', domainname: 'example.org', extraHosts: ['gw:host-gateway', 'db=10.0.0.9', 'v6:::1', 'bad'], links: ['p-cache-1:c'],
    });
    const db = rec('b'.repeat(64), 'p-db-1', [ep('n1', 'p_default', '172.20.0.3', ['db', 'database']), ep('n2', 'p_back', '172.21.0.2', ['db'])]);
    const cache = rec('c'.repeat(64), 'p-cache-1', [ep('n3', 'other', '172.22.0.2', ['cache'])]);
    assert.equal(renderHosts(web, [web, db, cache]), `${LOCAL}172.20.0.1\tgw\n10.0.0.9\tdb\n::1\tv6\n172.20.0.2\twebhost.example.org webhost\n172.22.0.2\tc cccccccccccc p-cache-1\n172.20.0.3\tp-db-1 db database bbbbbbbbbbbb\n`);
  });

  it('gives no name resolution on the default bridge', () => {
    const a = rec('a'.repeat(64), 'a', [ep('d', 'bridge', '172.20.0.2')]);
    const b = rec('b'.repeat(64), 'b', [ep('d', 'bridge', '172.20.0.3')]);
    assert.equal(renderHosts(a, [a, b]), `${LOCAL}172.20.0.2\taaaaaaaaaaaa\n`);
  });
});

describe('parsers', () => {
  it('parses extra hosts and links', () => {
    assert.deepEqual(parseExtraHost('h:1.2.3.4'), { host: 'h', ip: '1.2.3.4' });
    assert.deepEqual(parseExtraHost('h=[::1]'), { host: 'h', ip: '::1' });
    assert.equal(parseExtraHost('h:'), undefined);
    assert.deepEqual(parseLink('db:database'), { name: 'db', alias: 'database' });
    assert.deepEqual(parseLink('/db:/web/database'), { name: 'db', alias: 'database' });
    assert.deepEqual(parseLink('db'), { name: 'db', alias: 'db' });
  });
});

describe('renderResolvConf', () => {
  const host = parseResolvConf('# x\nnameserver 127.0.0.53\nnameserver 10.1.1.1\nnameserver fe80::1\ndomain a.example\nsearch b.example c.example\noptions ndots:2\n');

  it("keeps the host's non-loopback IPv4 nameservers, search and options", () => {
    assert.equal(renderResolvConf([host], { dns: [], dnsSearch: [], dnsOptions: [] }), 'nameserver 10.1.1.1\nsearch b.example c.example\noptions ndots:2\n');
  });

  it('applies overrides and falls back to public resolvers', () => {
    assert.equal(renderResolvConf([host], { dns: ['9.9.9.9'], dnsSearch: ['x.test'], dnsOptions: ['use-vc'] }), 'nameserver 9.9.9.9\nsearch x.test\noptions use-vc\n');
    const loopOnly = parseResolvConf('nameserver 127.0.0.53\n');
    assert.equal(renderResolvConf([loopOnly, parseResolvConf('nameserver 10.2.2.2\n')], { dns: [], dnsSearch: [], dnsOptions: [] }), 'nameserver 10.2.2.2\n');
    assert.equal(renderResolvConf([loopOnly], { dns: [], dnsSearch: ['.'], dnsOptions: [] }), 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
  });
});

describe('writeInPlace', () => {
  it('rewrites the same inode and reports a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-hosts-'));
    try {
      const file = join(dir, 'hosts');
      await writeFile(file, 'a much longer old content\n');
      const before = (await stat(file)).ino;
      assert.equal(await writeInPlace(file, 'new\n', false), true);
      assert.equal(await readFile(file, 'utf8'), 'new\n');
      assert.equal((await stat(file)).ino, before);
      assert.equal(await writeInPlace(file, 'grown to a longer content, é\n', false), true);
      assert.equal(await readFile(file, 'utf8'), 'grown to a longer content, é\n');
      assert.equal(await writeInPlace(file, 'é\n', true), true);
      assert.equal(await readFile(file, 'utf8'), 'é\n');
      assert.equal((await stat(file)).ino, before);
      assert.equal(await writeInPlace(join(dir, 'gone'), 'x', false), false);
      assert.equal(await writeInPlace(join(dir, 'made'), 'x\n', true), true);
      assert.equal(await readFile(join(dir, 'made'), 'utf8'), 'x\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
