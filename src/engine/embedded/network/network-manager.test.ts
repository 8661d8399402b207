/** Root-only: real bridges, veths, netns and iptables rules, all removed and checked at the end. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { EngineError } from '../../engine-error.js';
import { hostAddress, inContainer, listenTcp, median, newFixture, run, serveInNetns, tcpGet, udpAsk, type NetFixture } from '../../../../test/embedded/network-fixture.js';

const uniq = (): string => `t${randomBytes(4).toString('hex')}`;

async function withFixture(fn: (f: NetFixture) => Promise<void>): Promise<void> {
  const f = await newFixture();
  try {
    await fn(f);
  } finally {
    assert.deepEqual(await f.cleanup(), []);
  }
}

const netSpec = (name: string, over: { internal?: boolean; subnet?: string; gateway?: string; ipRange?: string } = {}) => ({
  name, labels: { 'com.docker.compose.project': 'p' }, internal: over.internal ?? false, attachable: false, enableIpv6: false,
  ...(over.subnet !== undefined ? { ipam: { config: [{ subnet: over.subnet, ...(over.gateway !== undefined ? { gateway: over.gateway } : {}), ...(over.ipRange !== undefined ? { ipRange: over.ipRange } : {}) }] } } : {}),
});

function errorOf(kind: EngineError['kind'], message: string): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof EngineError, String(err));
    assert.equal(err.message, message);
    assert.equal(err.kind, kind);
    return true;
  };
}

async function hookLines(rootHash: string): Promise<string[]> {
  const saved = (await run('iptables-save', ['-t', 'filter'])).stdout + (await run('iptables-save', ['-t', 'nat'])).stdout;
  return saved.split('\n').filter((l) => l.includes(`berth:${rootHash}:hook`)).sort();
}

const LOCAL = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';

describe('NetworkManager (root, real network)', () => {
  it('resolves peers by name through hosts files, rewritten in place when a peer gets a new address', () => withFixture(async (f) => {
    const net = await f.mgr.create(netSpec(uniq(), { subnet: '10.231.1.0/24' }));
    const a = await f.input('p-web-1', { attachments: [{ network: net.name, aliases: ['web'] }], extraHosts: ['gw:host-gateway'] });
    const b = await f.input('p-db-1', { attachments: [{ network: net.name, aliases: ['db'] }], dnsSearch: ['x.test'] });
    const ra = await f.mgr.setupContainer(a);
    const rb = await f.mgr.setupContainer(b);
    assert.deepEqual(ra, {
      netnsPath: `/run/netns/bth-${f.mgr.rootHash}-${a.containerId.slice(0, 12)}`,
      networks: { [net.name]: { networkId: net.id, ipv4Address: '10.231.1.2', macAddress: '02:42:0a:e7:01:02', gateway: '10.231.1.1', aliases: ['web'] } },
      ports: [],
    });
    assert.equal(rb.networks[net.name]?.ipv4Address, '10.231.1.3');
    assert.equal(await readFile(a.hostsPath, 'utf8'), `${LOCAL}10.231.1.1\tgw\n10.231.1.2\t${a.hostname}\n10.231.1.3\tp-db-1 db ${b.hostname}\n`);
    assert.equal(await readFile(b.resolvConfPath, 'utf8'), 'nameserver 10.255.255.53\nsearch x.test\n');
    assert.equal(await readFile(a.resolvConfPath, 'utf8'), 'nameserver 10.255.255.53\nsearch corp.test\n');
    for (const [from, to] of [[ra.netnsPath, 'db'], [ra.netnsPath, 'p-db-1'], [rb.netnsPath, 'web'], [rb.netnsPath, a.hostname]] as const) {
      const hosts = from === ra.netnsPath ? a.hostsPath : b.hostsPath;
      const r = await inContainer(from, hosts, ['busybox', 'ping', '-c1', '-W2', to]);
      assert.equal(r.code, 0, `${to}: ${r.stdout}${r.stderr}`);
    }
    assert.deepEqual(await f.mgr.endpoints(net.name), [a.containerId, b.containerId].sort());

    const inode = (await stat(a.hostsPath)).ino;
    const rb2 = await f.mgr.setupContainer({ ...b, attachments: [{ network: net.name, aliases: ['db'], ipv4Address: '10.231.1.50' }] });
    assert.equal(rb2.networks[net.name]?.ipv4Address, '10.231.1.50');
    assert.equal((await stat(a.hostsPath)).ino, inode);
    assert.equal(await readFile(a.hostsPath, 'utf8'), `${LOCAL}10.231.1.1\tgw\n10.231.1.2\t${a.hostname}\n10.231.1.50\tp-db-1 db ${b.hostname}\n`);
    const r = await inContainer(ra.netnsPath, a.hostsPath, ['busybox', 'ping', '-c1', '-W2', 'db']);
    assert.match(r.stdout, /^PING db \(10\.231\.1\.50\)/);

    await f.mgr.teardownContainer(b.containerId);
    assert.equal(await readFile(a.hostsPath, 'utf8'), `${LOCAL}10.231.1.1\tgw\n10.231.1.2\t${a.hostname}\n`);
    await assert.rejects(f.mgr.remove(net.name), errorOf('conflict', `error while removing network: network ${net.name} id ${net.id} has active endpoints`));
  }));

  it('gives internal networks no route out and routes via the first non-internal one', () => withFixture(async (f) => {
    const internal = await f.mgr.create(netSpec(uniq(), { internal: true, subnet: '10.231.2.0/24' }));
    const outside = await f.mgr.create(netSpec(uniq(), { subnet: '10.231.3.0/24' }));
    const only = await f.mgr.setupContainer(await f.input('only', { attachments: [{ network: internal.name, aliases: [] }] }));
    const both = await f.mgr.setupContainer(await f.input('both', { attachments: [{ network: internal.name, aliases: [] }, { network: outside.name, aliases: [] }] }));
    const routes = async (ns: string): Promise<string[]> => {
      const name = ns.slice('/run/netns/'.length);
      const out = JSON.parse((await run('ip', ['-n', name, '-j', 'route'])).stdout) as Array<{ dst: string; gateway?: string; dev: string }>;
      return out.map((r) => `${r.dst} ${r.gateway ?? '-'} ${r.dev}`).sort();
    };
    assert.deepEqual(await routes(only.netnsPath), ['10.231.2.0/24 - eth0']);
    assert.deepEqual(await routes(both.netnsPath), ['10.231.2.0/24 - eth0', '10.231.3.0/24 - eth1', 'default 10.231.3.1 eth1']);
    // Isolation: nothing is forwarded out of the internal network, nor between two networks.
    const other = await f.mgr.create(netSpec(uniq(), { subnet: '10.231.4.0/24' }));
    const out = await f.mgr.setupContainer(await f.input('out', { attachments: [{ network: outside.name, aliases: [] }] }));
    const o2 = await f.mgr.setupContainer(await f.input('o2', { attachments: [{ network: other.name, aliases: [] }] }));
    const outIp = out.networks[outside.name]?.ipv4Address ?? '';
    assert.equal((await run('ip', ['-n', only.netnsPath.slice(11), 'route', 'add', '10.231.3.0/24', 'via', '10.231.2.1'])).code, 0);
    const ping = async (ns: string): Promise<number> => (await run('nsenter', [`--net=${ns}`, 'busybox', 'ping', '-c1', '-W1', outIp])).code;
    assert.equal(await ping(both.netnsPath), 0);
    assert.equal(await ping(only.netnsPath), 1);
    assert.equal(await ping(o2.netnsPath), 1);
  }));

  it('publishes tcp and udp ports on 127.0.0.1 and the host addresses, and refuses taken ports', () => withFixture(async (f) => {
    const net = await f.mgr.create(netSpec(uniq()));
    const fixed = await listenTcp('127.0.0.1', 0).then(async (s) => { const p = s.port; await s.close(); return p; });
    const c = await f.input('p-web-1', {
      attachments: [{ network: net.name, aliases: [] }],
      ports: [
        { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: String(fixed) },
        { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: '' },
        { containerPort: 53, protocol: 'udp', hostIp: '', hostPort: '' },
      ],
    });
    const r = await f.mgr.setupContainer(c);
    const [p0, p1, p2] = r.ports;
    assert.deepEqual(p0, { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: fixed });
    assert.ok(p1 !== undefined && p1.hostIp === '0.0.0.0' && p1.hostPort > 0 && p1.hostPort !== fixed);
    assert.ok(p2 !== undefined && p2.protocol === 'udp' && p2.hostIp === '0.0.0.0' && p2.hostPort > 0);
    const tcp = await serveInNetns(r.netnsPath, 'tcp', 80);
    const udp = await serveInNetns(r.netnsPath, 'udp', 53);
    try {
      assert.equal(await tcpGet('127.0.0.1', fixed), 'hello 80');
      assert.equal(await tcpGet('127.0.0.1', p1.hostPort), 'hello 80');
      assert.equal(await tcpGet(hostAddress(), p1.hostPort), 'hello 80');
      assert.equal(await udpAsk('127.0.0.1', p2.hostPort, 'hi'), 'pong:hi');
      // From a container of another network, through a host address (DNAT, then FORWARD across bridges).
      const net2 = await f.mgr.create(netSpec(uniq()));
      const d = await f.mgr.setupContainer(await f.input('d', { attachments: [{ network: net2.name, aliases: [] }] }));
      const viaHost = await run('nsenter', [`--net=${d.netnsPath}`, 'busybox', 'nc', '-w', '3', hostAddress(), String(p1.hostPort)]);
      assert.equal(viaHost.stdout, 'hello 80');
    } finally {
      tcp.kill();
      udp.kill();
    }
    const again = await f.input('p-web-2', { attachments: [{ network: net.name, aliases: [] }], ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: String(fixed) }] });
    await assert.rejects(f.mgr.setupContainer(again), errorOf('conflict', `Bind for 0.0.0.0:${fixed} failed: port is already allocated`));
    assert.deepEqual(await f.mgr.endpoints(net.id), [c.containerId]);

    const holder = await listenTcp('127.0.0.1', 0);
    try {
      const taken = await f.input('p-web-3', { attachments: [{ network: net.name, aliases: [] }], ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: String(holder.port) }] });
      await assert.rejects(f.mgr.setupContainer(taken), errorOf('conflict', `Bind for 127.0.0.1:${holder.port} failed: port is already allocated`));
      const ranged = await f.input('p-web-4', { attachments: [{ network: net.name, aliases: [] }], ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: `${holder.port}-${holder.port + 3}` }] });
      const rr = await f.mgr.setupContainer(ranged);
      assert.equal(rr.ports[0]?.hostPort, holder.port + 1);
    } finally {
      await holder.close();
    }
    await f.mgr.teardownContainer(c.containerId);
    assert.equal((await run('iptables-save', ['-t', 'nat'])).stdout.includes(`berth:${f.mgr.rootHash}:${c.containerId}`), false);
  }));

  it('picks subnets clear of host routes and other networks, and honours ipam config and static addresses', () => withFixture(async (f) => {
    const auto1 = await f.mgr.create(netSpec(uniq()));
    const auto2 = await f.mgr.create(netSpec(uniq()));
    const routes = JSON.parse((await run('ip', ['-4', '-j', 'route', 'show', 'table', 'all'])).stdout) as Array<{ dst: string; dev?: string }>;
    const { cidrsOverlap, parseCidr } = await import('./ipv4.js');
    for (const net of [auto1, auto2]) {
      const mine = parseCidr(net.subnet);
      assert.ok(mine);
      assert.match(net.subnet, /^(172\.(1[7-9]|2\d|3[01])\.0\.0\/16|192\.168\.\d+\.0\/20)$/);
      const clash = routes.filter((r) => r.dst !== 'default' && r.dev !== net.bridge && cidrsOverlap(mine, parseCidr(r.dst) ?? mine));
      assert.deepEqual(clash, [], net.subnet);
    }
    assert.equal(cidrsOverlap(parseCidr(auto1.subnet) ?? { base: 0, prefix: 0 }, parseCidr(auto2.subnet) ?? { base: 0, prefix: 0 }), false);

    const fixed = await f.mgr.create(netSpec(uniq(), { subnet: '10.231.7.0/24', gateway: '10.231.7.254', ipRange: '10.231.7.128/25' }));
    assert.deepEqual([fixed.subnet, fixed.gateway, fixed.ipRange], ['10.231.7.0/24', '10.231.7.254', '10.231.7.128/25']);
    const addr = JSON.parse((await run('ip', ['-4', '-j', 'addr', 'show', 'dev', fixed.bridge])).stdout) as Array<{ addr_info: Array<{ local: string; prefixlen: number }> }>;
    assert.deepEqual(addr[0]?.addr_info.map((a) => `${a.local}/${a.prefixlen}`), ['10.231.7.254/24']);
    await assert.rejects(f.mgr.create(netSpec(uniq(), { subnet: '10.231.0.0/16' })), errorOf('conflict', 'invalid pool request: Pool overlaps with other one on this address space (10.231.0.0/16)'));
    await assert.rejects(f.mgr.create(netSpec(fixed.name)), errorOf('conflict', `network with name ${fixed.name} already exists`));
    await assert.rejects(f.mgr.inspect('nope-net'), errorOf('not-found', 'network nope-net not found'));
    assert.equal((await f.mgr.inspect(fixed.id.slice(0, 10))).name, fixed.name);

    const s1 = await f.mgr.setupContainer(await f.input('s1', { attachments: [{ network: fixed.name, aliases: [], ipv4Address: '10.231.7.9' }] }));
    assert.equal(s1.networks[fixed.name]?.macAddress, '02:42:0a:e7:07:09');
    const inside = JSON.parse((await run('ip', ['-n', s1.netnsPath.slice(11), '-4', '-j', 'addr', 'show', 'dev', 'eth0'])).stdout) as Array<{ address?: string; addr_info: Array<{ local: string; prefixlen: number }> }>;
    assert.deepEqual(inside[0]?.addr_info.map((a) => `${a.local}/${a.prefixlen}`), ['10.231.7.9/24']);
    const dup = await f.input('s2', { attachments: [{ network: fixed.name, aliases: [], ipv4Address: '10.231.7.9' }] });
    await assert.rejects(f.mgr.setupContainer(dup), errorOf('conflict', `cannot assign 10.231.7.9 on network ${fixed.name}: address 10.231.7.9 is already in use`));
    const s3 = await f.mgr.setupContainer(await f.input('s3', { attachments: [{ network: fixed.name, aliases: [] }] }));
    assert.equal(s3.networks[fixed.name]?.ipv4Address, '10.231.7.128');
    assert.deepEqual((await f.mgr.list({ 'com.docker.compose.project': 'p' })).map((n) => n.name), [auto1.name, auto2.name, fixed.name].sort());
    assert.deepEqual(await f.mgr.list({ other: undefined }), []);
  }));

  it('connects and disconnects a running container live', () => withFixture(async (f) => {
    const n1 = await f.mgr.create(netSpec(uniq(), { subnet: '10.231.8.0/24' }));
    const n2 = await f.mgr.create(netSpec(uniq(), { subnet: '10.231.9.0/24' }));
    const a = await f.input('a', { attachments: [{ network: n1.name, aliases: [] }] });
    const b = await f.input('b', { attachments: [{ network: n2.name, aliases: ['bee'] }] });
    const ra = await f.mgr.setupContainer(a);
    await f.mgr.setupContainer(b);
    assert.equal((await readFile(a.hostsPath, 'utf8')).includes('bee'), false);
    const entry = await f.mgr.connect(a.containerId, { network: n2.name, aliases: ['ay'] });
    assert.deepEqual(entry, { networkId: n2.id, ipv4Address: '10.231.9.3', macAddress: '02:42:0a:e7:09:03', gateway: '10.231.9.1', aliases: ['ay'] });
    assert.equal((await inContainer(ra.netnsPath, a.hostsPath, ['busybox', 'ping', '-c1', '-W2', 'bee'])).code, 0);
    assert.equal(await readFile(b.hostsPath, 'utf8'), `${LOCAL}10.231.9.2\t${b.hostname}\n10.231.9.3\ta ay ${a.hostname}\n`);
    await assert.rejects(f.mgr.connect(a.containerId, { network: n2.name, aliases: [] }), errorOf('conflict', `endpoint with name a already exists in network ${n2.name}`));
    await f.mgr.disconnect(a.containerId, n2.name);
    assert.equal(await readFile(b.hostsPath, 'utf8'), `${LOCAL}10.231.9.2\t${b.hostname}\n`);
    const links = (await run('ip', ['-n', ra.netnsPath.slice(11), '-o', 'link'])).stdout;
    assert.equal(links.includes('eth1'), false);
  }));

  it('tears down idempotently and recovers from crashes and lost bridges', () => withFixture(async (f) => {
    const net = await f.mgr.create(netSpec(uniq(), { subnet: '10.231.10.0/24' }));
    const a = await f.input('a', { attachments: [{ network: net.name, aliases: [] }], ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '' }] });
    const ra = await f.mgr.setupContainer(a);
    await f.mgr.teardownContainer(a.containerId);
    await f.mgr.teardownContainer(a.containerId);
    await assert.rejects(stat(ra.netnsPath), { code: 'ENOENT' });
    assert.deepEqual(await f.mgr.endpoints(net.id), []);

    const keep = await f.input('keep', { attachments: [{ network: net.name, aliases: [] }] });
    const dead = await f.input('dead', { attachments: [{ network: net.name, aliases: [] }], ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: '' }] });
    const rk = await f.mgr.setupContainer(keep);
    const rd = await f.mgr.setupContainer(dead);
    const orphan = `bth-${f.mgr.rootHash}-0123456789ab`;
    assert.equal((await run('ip', ['netns', 'add', orphan])).code, 0);
    assert.equal((await run('ip', ['link', 'del', net.bridge])).code, 0);
    const { NetworkManager } = await import('./network-manager.js');
    const other = new NetworkManager(f.paths);
    await other.recover(new Set([keep.containerId]));
    await assert.rejects(stat(rd.netnsPath), { code: 'ENOENT' });
    await assert.rejects(stat(`/run/netns/${orphan}`), { code: 'ENOENT' });
    await stat(rk.netnsPath);
    await stat(`/sys/class/net/${net.bridge}`);
    assert.deepEqual(await f.mgr.endpoints(net.id), [keep.containerId]);
    assert.deepEqual(await hookLines(f.mgr.rootHash), [
      `-A FORWARD -m comment --comment "berth:${f.mgr.rootHash}:hook" -j BERTH-${f.mgr.rootHash}-FWD`,
      `-A OUTPUT -m addrtype --dst-type LOCAL -m comment --comment "berth:${f.mgr.rootHash}:hook" -j BERTH-${f.mgr.rootHash}-DNAT`,
      `-A POSTROUTING -m comment --comment "berth:${f.mgr.rootHash}:hook" -j BERTH-${f.mgr.rootHash}-POST`,
      `-A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment "berth:${f.mgr.rootHash}:hook" -j BERTH-${f.mgr.rootHash}-DNAT`,
    ]);
    assert.equal((await run('iptables-save', ['-t', 'nat'])).stdout.includes(dead.containerId), false);
    assert.equal(await readFile(keep.hostsPath, 'utf8'), `${LOCAL}10.231.10.2\t${keep.hostname}\n`);
  }));

  it('puts network_mode bridge containers on a default bridge without name resolution', () => withFixture(async (f) => {
    assert.equal(await f.mgr.ensureDefaultBridge(), 'bridge');
    assert.equal(await f.mgr.ensureDefaultBridge(), 'bridge');
    const a = await f.input('a', { attachments: [{ network: 'bridge', aliases: [] }] });
    const b = await f.input('b', { attachments: [{ network: 'bridge', aliases: [] }], links: ['a:alpha'] });
    const ra = await f.mgr.setupContainer(a);
    await f.mgr.setupContainer(b);
    const ip = ra.networks.bridge?.ipv4Address ?? '';
    assert.equal(await readFile(a.hostsPath, 'utf8'), `${LOCAL}${ip}\t${a.hostname}\n`);
    assert.match(await readFile(b.hostsPath, 'utf8'), new RegExp(`\\n${ip.replace(/\./g, '\\.')}\\talpha ${a.hostname} a\\n$`));
  }));

  it('sets ten containers up one after another: each its own address, all announced to each other', async (t) => withFixture(async (f) => {
    const net = await f.mgr.create(netSpec(uniq(), { subnet: '10.231.11.0/24' }));
    const times: number[] = [];
    const inputs = [];
    const addresses: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const c = await f.input(`c${i}`, { attachments: [{ network: net.name, aliases: [] }] });
      inputs.push(c);
      const start = performance.now();
      const r = await f.mgr.setupContainer(c);
      times.push(performance.now() - start);
      addresses.push(r.networks[net.name]?.ipv4Address ?? '');
    }
    // Timing is reported, never asserted (bench/ measures speed).
    t.diagnostic(`setupContainer, one network, no ports: median ${median(times).toFixed(1)} ms (n=10, with 0–9 peers)`);
    assert.equal(new Set(addresses).size, 10, addresses.join(' '));
    for (const a of addresses) assert.match(a, /^10\.231\.11\.\d+$/);
    const first = await readFile(inputs[0]!.hostsPath, 'utf8');
    for (const [i, a] of addresses.entries()) if (i > 0) assert.match(first, new RegExp(`^${a.replace(/\./g, '\\.')}\\t`, 'm'), `c${i} in c0's hosts file`);
  }));
});

