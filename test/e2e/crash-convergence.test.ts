/**
 * Crash safety of the embedded engine as a user meets it: `berth up` or `berth down` killed
 * (SIGKILL, no chance to clean up) at points spread over the whole command, then the same
 * command again. The second run must converge: every service running once and reachable by
 * name, or nothing of the project left — no container, network, volume, mount, network
 * namespace or port rule.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { LABEL } from '../../src/model/labels.js';
import { containersOf, projectSuite, type TestProject } from '../helpers/project-fixture.js';

const compose = `
services:
  db:
    image: berth-test-busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; touch /data/ready; sleep 3600 & wait"]
    volumes: [data:/data]
    healthcheck: {test: ["CMD", "test", "-e", "/data/ready"], interval: 200ms, retries: 50}
  api:
    image: berth-test-busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    depends_on: {db: {condition: service_healthy}}
  web:
    image: berth-test-busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    ports: ["127.0.0.1::80"]
    depends_on: [api]
  worker:
    image: berth-test-busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    networks: [default, back]
networks:
  back: {}
volumes:
  data: {}
`;

const SERVICES = ['api', 'db', 'web', 'worker'];
/** Kill points, in ms after the command was spawned: from start-up to the last containers. */
const DELAYS = [120, 250, 400, 550, 700, 900];

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `args` and SIGKILLs it `ms` later (if it is still running). */
async function killedAfter(p: TestProject, args: string[], ms: number): Promise<void> {
  const child = p.spawn(args);
  await Promise.race([delay(ms), child.exit]);
  child.kill('SIGKILL');
  await child.exit;
}

/** What the host holds for these containers: network namespaces, mounts and NAT rules naming them. */
function hostTraces(ids: readonly string[]): string[] {
  const short = ids.map((id) => id.slice(0, 12));
  const netns = readdirSync('/run/netns', { withFileTypes: true }).map((d) => d.name).filter((n) => short.some((s) => n.endsWith(`-${s}`)));
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => ids.some((id) => l.includes(id)));
  const rules = execFileSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' }).split('\n').filter((l) => short.some((s) => l.includes(s)));
  return [...netns.map((n) => `netns ${n}`), ...mounts.map((m) => `mount ${m}`), ...rules.map((r) => `rule ${r}`)];
}

describe('embedded engine: commands killed at any point converge', { concurrency: true }, () => {
  const suite = projectSuite('embedded');
  const { project } = suite;

  it('a killed `up -d` is completed by the next one', async () => {
    for (const ms of DELAYS) {
      const p = project('crashup').write(compose);
      await killedAfter(p, ['up', '-d'], ms);
      await p.ok(['up', '-d', '--wait']);
      const containers = await containersOf(suite.engine(), p.name);
      assert.deepEqual([...containers.keys()].sort(), SERVICES.map((s) => `${p.name}-${s}-1`), `killed after ${ms} ms`);
      for (const c of containers.values()) assert.equal(c.state, 'running', `${c.name}, killed after ${ms} ms`);
      // Names resolve, and the published port is there.
      const hosts = await p.ok(['exec', '-T', 'web', 'cat', '/etc/hosts']);
      for (const s of ['api', 'db', 'worker']) assert.match(hosts.stdout, new RegExp(`\\s${s}(\\s|$)`, 'm'), `${s} in web's hosts, killed after ${ms} ms`);
      assert.match((await p.ok(['port', 'web', '80'])).stdout, /^127\.0\.0\.1:\d+$/m);
      await p.ok(['down', '-v', '-t', '1']);
    }
  });

  it('a killed `down -v` is completed by the next one, leaving nothing behind', async () => {
    for (const ms of DELAYS) {
      const p = project('crashdown').write(compose);
      await p.ok(['up', '-d', '--wait']);
      const ids = [...(await containersOf(suite.engine(), p.name)).values()].map((c) => c.id);
      await killedAfter(p, ['down', '-v', '-t', '1'], ms);
      await p.ok(['down', '-v', '-t', '1']);
      const labels = { [LABEL.project]: p.name };
      assert.deepEqual(await suite.engine().listContainers({ all: true, labels }), [], `containers, killed after ${ms} ms`);
      assert.deepEqual((await suite.engine().listNetworks(labels)).map((n) => n.name), [], `networks, killed after ${ms} ms`);
      assert.deepEqual((await suite.engine().listVolumes(labels)).map((v) => v.name), [], `volumes, killed after ${ms} ms`);
      assert.deepEqual(hostTraces(ids), [], `killed after ${ms} ms`);
    }
  });
});
