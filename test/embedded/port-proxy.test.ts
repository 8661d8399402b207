/** Publishing without iptables: the embedded engine's userland port proxy. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openEmbeddedEngine } from '../../src/engine/embedded/embedded-engine.js';
import { embeddedPaths } from '../../src/engine/embedded/paths.js';
import { containerSpec, run, withProject } from '../contract/fixture.js';
import { TEST_ROOT } from '../helpers/embedded.js';
import { eventually } from '../helpers/eventually.js';
import { httpGet } from '../helpers/http.js';

const proxyEngine = (): ReturnType<typeof openEmbeddedEngine> =>
  openEmbeddedEngine({ root: TEST_ROOT, portPublish: 'proxy', ...(process.env.PATH !== undefined ? { pathEnv: process.env.PATH } : {}) });

describe('embedded engine: userland port proxy', () => {
  it('publishes a port through a proxy process, with no firewall rule, and ends it with the container', async () => {
    await withProject(proxyEngine, 'proxy', async (engine, project) => {
      const id = await run(engine, containerSpec(project, 'web', {
        command: ['sh', '-c', 'echo proxied > /var/www/index.html; exec httpd -f -p 80 -h /var/www'],
        ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '' }],
      }));
      const port = (await engine.inspectContainer(id)).ports.find((p) => p.containerPort === 80)?.hostPort ?? 0;
      assert.ok(port > 0);
      assert.equal(await eventually(() => httpGet(port), { timeoutMs: 10_000 }), 'proxied\n');
      assert.equal(execFileSync('iptables-save', { encoding: 'utf8' }).includes(id), false);
      const endpoint = JSON.parse(readFileSync(join(embeddedPaths(TEST_ROOT).networks, 'endpoints', `${id}.json`), 'utf8')) as { proxyPid?: number };
      const pid = endpoint.proxyPid ?? 0;
      assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /port-proxy-main\.js/);
      await engine.removeContainer(id, { force: true, volumes: true });
      await eventually(() => !existsSync(`/proc/${pid}`));
      await assert.rejects(httpGet(port));
    });
  });
});
