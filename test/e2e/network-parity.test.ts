/**
 * Networking as compose users see it, run on both engines with the same assertions: names and
 * aliases, recreate, published ports, internal networks, project isolation, port conflicts,
 * network_mode, and what `down -v` leaves on the host.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { it } from 'node:test';
import type { Engine } from '../../src/engine/engine.js';
import { LABEL } from '../../src/model/labels.js';
import { forEachEngine } from '../helpers/engines.js';
import { eventually } from '../helpers/eventually.js';
import { containersOf, projectSuite, type TestProject } from '../helpers/project-fixture.js';
import { addressesFrom, freePorts, hostOutput, httpGet, resolveFrom, sendUdp, shIn, udpNoPorts } from './network-support.js';

const IMAGE = 'berth-test-busybox:latest';
const SLEEP = '["sleep", "3600"]';
// httpd daemonizes; `exec sleep` stays the main process so the init stops it at once.
const HTTPD = '["sh", "-c", "echo web > /var/www/index.html && for p in 80 8080 8081 8082; do httpd -p $$p -h /var/www; done && exec sleep 3600"]';

const mainProject = (long: number, range: number): string => `
services:
  web:
    image: ${IMAGE}
    init: true
    hostname: webhost
    command: ${HTTPD}
    networks:
      front: {aliases: [www]}
      back: {aliases: [api]}
    ports:
      - "127.0.0.1::80"
      - {target: 8082, published: "${long}", protocol: tcp}
      - "127.0.0.1::5353/udp"
      - "127.0.0.1:${range}-${range + 1}:8080-8081"
  client:
    image: ${IMAGE}
    init: true
    command: ${SLEEP}
    networks: [front]
    links: ["web:weblink"]
    extra_hosts: ["fixed.example:192.0.2.10"]
  isolated:
    image: ${IMAGE}
    init: true
    command: ${SLEEP}
    networks: [back]
networks:
  front: {}
  back: {internal: true}
`;

const pair = `
services:
  web:
    image: ${IMAGE}
    init: true
    command: ${SLEEP}
  client:
    image: ${IMAGE}
    init: true
    command: ${SLEEP}
`;

/** The address of `<service>-1` on the project network `network`. */
async function addressOn(p: TestProject, engine: () => Engine, service: string, network: string): Promise<string> {
  const c = (await containersOf(engine(), p.name)).get(`${p.name}-${service}-1`);
  const address = c?.networkSettings[`${p.name}_${network}`]?.ipv4Address;
  assert.ok(address !== undefined && address !== '', `${service} has an address on ${network}: ${JSON.stringify(c?.networkSettings)}`);
  return address.replace(/\/\d+$/, '');
}

forEachEngine('network parity: names, ports, internal networks, isolation, cleanup', (kind) => {
  const suite = projectSuite(kind);
  const p = suite.project('npnet');
  const band = kind === 'docker' ? 0 : 1;
  let long = 0;
  let range = 0;

  it('resolves service names, container names, aliases and extra_hosts per network; sets the hostname', async () => {
    long = await freePorts(1, band);
    range = await freePorts(2, band);
    p.write(mainProject(long, range));
    await p.ok(['up', '-d']);
    const webFront = await addressOn(p, suite.engine, 'web', 'front');
    const webBack = await addressOn(p, suite.engine, 'web', 'back');
    const fromClient = await resolveFrom(p, 'client', ['web', 'www', `${p.name}-web-1`, 'fixed.example', 'api', 'isolated']);
    assert.deepEqual(Object.fromEntries([...fromClient].map(([n, r]) => [n, r.address])), {
      web: webFront, www: webFront, [`${p.name}-web-1`]: webFront, 'fixed.example': '192.0.2.10',
      // Only on the internal network: neither its alias there nor its other member resolve.
      api: undefined, isolated: undefined,
    });
    assert.equal(fromClient.get('web')?.answered, true, 'client reaches web');
    const fromIsolated = await resolveFrom(p, 'isolated', ['web', 'api', `${p.name}-web-1`, 'www', 'client']);
    assert.deepEqual(Object.fromEntries([...fromIsolated].map(([n, r]) => [n, r.address])), {
      web: webBack, api: webBack, [`${p.name}-web-1`]: webBack, www: undefined, client: undefined,
    });
    assert.equal(fromIsolated.get('api')?.answered, true, 'isolated reaches web on the internal network');
    assert.equal(await shIn(p, 'web', 'hostname'), 'webhost\n');
  });

  it('up --force-recreate gives a service a new container that the others reach by name at its new address', async () => {
    const before = await containersOf(suite.engine(), p.name);
    await p.ok(['up', '-d', '--force-recreate', '--no-deps', 'web']);
    const after = await containersOf(suite.engine(), p.name);
    assert.notEqual(after.get(`${p.name}-web-1`)?.id, before.get(`${p.name}-web-1`)?.id, 'web was recreated');
    assert.equal(after.get(`${p.name}-client-1`)?.id, before.get(`${p.name}-client-1`)?.id, 'client was left alone');
    const webFront = await addressOn(p, suite.engine, 'web', 'front');
    const webBack = await addressOn(p, suite.engine, 'web', 'back');
    const fromClient = await resolveFrom(p, 'client', ['web', 'www', `${p.name}-web-1`]);
    assert.deepEqual([...fromClient].map(([n, r]) => [n, r.address, r.answered]), [
      ['web', webFront, true], ['www', webFront, true], [`${p.name}-web-1`, webFront, true],
    ]);
    assert.deepEqual(await addressesFrom(p, 'isolated', ['api']), { api: webBack });
  });

  it('a link alias resolves to the linked service\'s current container', async () => {
    const webFront = await addressOn(p, suite.engine, 'web', 'front');
    const weblink = (await resolveFrom(p, 'client', ['weblink'])).get('weblink');
    assert.deepEqual(weblink, { address: webFront, answered: true });
  });

  it('publishes short and long syntax, tcp and udp, a host_ip, a range and random ports', async () => {
    const port80 = (await p.ok(['port', 'web', '80'])).stdout;
    assert.match(port80, /^127\.0\.0\.1:\d+\n$/);
    const random = Number(port80.trim().split(':')[1]);
    const udp = (await p.ok(['port', '--protocol', 'udp', 'web', '5353'])).stdout;
    assert.match(udp, /^127\.0\.0\.1:\d+\n$/);
    const udpPort = Number(udp.trim().split(':')[1]);
    assert.equal((await p.ok(['port', 'web', '8082'])).stdout, `0.0.0.0:${long}\n`);
    const json = (await p.ok(['ps', '--format', 'json', 'web'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const publishers = (json[0]?.Publishers as Array<Record<string, unknown>> | undefined) ?? [];
    // Docker also reports a `::` twin of each 0.0.0.0 binding; the IPv4 view is what both show.
    assert.deepEqual(publishers.filter((x) => x.URL !== '::').map((x) => [x.URL, x.TargetPort, x.PublishedPort, x.Protocol]), [
      ['127.0.0.1', 80, random, 'tcp'],
      ['127.0.0.1', 5353, udpPort, 'udp'],
      ['127.0.0.1', 8080, range, 'tcp'],
      ['127.0.0.1', 8081, range + 1, 'tcp'],
      ['0.0.0.0', 8082, long, 'tcp'],
    ]);
    for (const port of [random, long, range, range + 1]) assert.equal(await httpGet('127.0.0.1', port), 'web\n', `GET 127.0.0.1:${port}`);
    const before = await udpNoPorts(p, 'web');
    await eventually(async () => {
      await sendUdp('127.0.0.1', udpPort, 'ping');
      return (await udpNoPorts(p, 'web')) > before;
    }, { message: `a datagram to 127.0.0.1:${udpPort}/udp reaching web`, intervalMs: 300 });
  });

  it('an internal network has no way out: not to another network, not to a published host port', async () => {
    const gateway = (await shIn(p, 'client', "ip route | awk '/^default/ {print $3}'")).trim();
    assert.match(gateway, /^\d+\.\d+\.\d+\.\d+$/, 'client has a default route');
    const clientFront = await addressOn(p, suite.engine, 'client', 'front');
    const probe = (target: string): string => `if nc -w 1 ${target} ${long} </dev/null >/dev/null 2>&1; then echo open; else echo closed; fi`;
    // The same probe succeeds from the other network, so a failure below is the isolation.
    assert.equal(await shIn(p, 'client', probe(gateway)), 'open\n');
    assert.equal(await shIn(p, 'isolated', probe(gateway)), 'closed\n');
    assert.equal(await shIn(p, 'isolated', `ping -c1 -W1 ${clientFront} >/dev/null 2>&1 && echo reached || echo unreachable`), 'unreachable\n');
  });

  it('two projects with the same service names do not see each other', async () => {
    const a = suite.project('nppaira').write(pair);
    const b = suite.project('nppairb').write(pair);
    await Promise.all([a.ok(['up', '-d']), b.ok(['up', '-d'])]);
    const aWeb = await addressOn(a, suite.engine, 'web', 'default');
    const bWeb = await addressOn(b, suite.engine, 'web', 'default');
    assert.notEqual(aWeb, bWeb);
    assert.deepEqual(await addressesFrom(a, 'client', ['web', `${b.name}-web-1`]), { web: aWeb, [`${b.name}-web-1`]: undefined });
    assert.deepEqual(await addressesFrom(b, 'client', ['web', `${a.name}-web-1`]), { web: bWeb, [`${a.name}-web-1`]: undefined });
    const reach = await resolveFrom(a, 'client', [bWeb, aWeb]);
    assert.deepEqual([...reach].map(([n, r]) => [n, r.answered]), [[bWeb, false], [aWeb, true]], "a's client reaches its own web, not b's");
    await Promise.all([a.ok(['down', '-t', '1']), b.ok(['down', '-t', '1'])]);
  });

  it('a host port already in use makes up fail with an error naming the service', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const address = blocker.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const q = suite.project('nptaken').write(`services:\n  taken:\n    image: ${IMAGE}\n    init: true\n    command: ${SLEEP}\n    ports: ["127.0.0.1:${port}:80"]\n`);
      const r = await q.ok(['up', '-d'], 1);
      assert.match(r.stderr, new RegExp(`${q.name}-taken-1`), r.stderr);
      assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${port}`), r.stderr);
      assert.match(r.stderr, /already in use|already allocated/i, r.stderr);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('network_mode none has only lo; service:web shares web\'s network namespace', async () => {
    const q = suite.project('npmode').write(`
services:
  web:
    image: ${IMAGE}
    init: true
    command: ${SLEEP}
  alone:
    image: ${IMAGE}
    init: true
    command: ${SLEEP}
    network_mode: none
  side:
    image: ${IMAGE}
    init: true
    command: ${SLEEP}
    network_mode: "service:web"
`);
    await q.ok(['up', '-d']);
    assert.equal(await shIn(q, 'alone', 'ls /sys/class/net'), 'lo\n');
    const view = 'readlink /proc/self/ns/net; ip -4 -o addr show eth0 | awk \'{print $4}\'';
    const web = await shIn(q, 'web', view);
    assert.match(web, /^net:\[\d+\]\n\d+\.\d+\.\d+\.\d+\/\d+\n$/);
    assert.equal(await shIn(q, 'side', view), web);
    await q.ok(['down', '-t', '1']);
  });

  it('down -v leaves no container, network, bridge, veth, namespace, rule or process behind', async () => {
    const containers = [...(await containersOf(suite.engine(), p.name)).values()].map((c) => c.id);
    const networks = (await suite.engine().listNetworks({ [LABEL.project]: p.name })).map((n) => n.id);
    assert.equal(containers.length, 3);
    assert.equal(networks.length, 2);
    const hostView = async (): Promise<Record<string, string>> => ({
      links: await hostOutput('ip', ['-o', 'link', 'show']),
      netns: await hostOutput('ip', ['netns', 'list']),
      rules: await hostOutput('iptables-save', []),
      conmon: await hostOutput('pgrep', ['-af', 'conmon']),
    });
    /** Which of the project's ids each host view mentions (12-hex prefixes: Docker names bridges br-<id12>). */
    const mentions = (view: Record<string, string>): Record<string, string[]> => Object.fromEntries(
      Object.entries(view).map(([what, text]) => [what, [...containers, ...networks].map((id) => id.slice(0, 12)).filter((id) => text.includes(id))]),
    );
    const present = mentions(await hostView());
    // Each check below can fail: before down, each view shows the project.
    if (kind === 'embedded') {
      const short = (ids: string[]): string[] => ids.map((id) => id.slice(0, 12));
      const web = (await containersOf(suite.engine(), p.name)).get(`${p.name}-web-1`)?.id ?? '';
      // Bridges and veths carry the ids in their ifalias; the published ports' rules name web.
      assert.deepEqual(present, {
        links: short([...containers, ...networks]), netns: short(containers), rules: present.rules?.includes(web.slice(0, 12)) === true ? present.rules : ['web missing'], conmon: short(containers),
      });
    } else {
      assert.equal(present.links?.filter((id) => networks.some((n) => n.startsWith(id))).length, 2, 'both project bridges exist before down');
    }
    await p.ok(['down', '-v', '-t', '1']);
    assert.deepEqual(mentions(await hostView()), { links: [], netns: [], rules: [], conmon: [] });
    assert.equal((await containersOf(suite.engine(), p.name)).size, 0);
    assert.deepEqual(await suite.engine().listNetworks({ [LABEL.project]: p.name }), []);
  });
});
