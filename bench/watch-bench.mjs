#!/usr/bin/env node
// Watch-mode latency: from a file write on the host to the file visible in the container (sync),
// and to a new container running the rebuilt image (rebuild). See README.md, "watch".
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { dockerApi, dockerEndpoint, percentile, projectContainers, removeLabelled, round } from './bench-lib.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const syncRuns = opt('--runs', 30);
const rebuildRuns = opt('--rebuild-runs', 5);
const json = args.includes('--json');
const log = (m) => process.stderr.write(`${m}\n`);
const endpoint = dockerEndpoint();
const BASE = 'berth-test-busybox:latest';

/** HEAD /containers/{id}/archive: 200 once the path exists in the container. */
function pathExists(id, path) {
  return new Promise((res, rej) => {
    const req = httpRequest({ ...endpoint, method: 'HEAD', path: `/containers/${id}/archive?path=${encodeURIComponent(path)}`, headers: { Host: 'docker' } }, (r) => {
      r.resume();
      r.on('end', () => res(r.statusCode === 200));
    });
    req.on('error', rej);
    req.end();
  });
}

async function until(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(2);
  }
}

const compose = `
services:
  web:
    image: ${BASE}
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    develop:
      watch:
        - {path: ./src, action: sync, target: /app}
  api:
    build: ./api
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    develop:
      watch:
        - {path: ./api, action: rebuild}
`;

async function main() {
  const images = await dockerApi(endpoint, 'GET', `/images/json?filters=${encodeURIComponent(JSON.stringify({ reference: [BASE] }))}`);
  if (images.length === 0) throw new Error(`${BASE} is missing: run the e2e tests once (test/helpers/docker.ts ensureBaseImage builds it)`);
  const project = `watchbench${process.pid}`;
  const dir = await mkdtemp(join(tmpdir(), 'berth-watch-bench-'));
  await mkdir(join(dir, 'src'));
  await mkdir(join(dir, 'api'));
  await writeFile(join(dir, 'compose.yaml'), compose);
  await writeFile(join(dir, 'api/Dockerfile'), `FROM ${BASE}\nCOPY version.txt /version.txt\n`);
  await writeFile(join(dir, 'api/version.txt'), '0');
  const child = spawn(process.execPath, [join(root, 'bin/berth'), '-p', project, '--progress', 'quiet', 'watch', '--quiet'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d.toString()));
  try {
    await until(async () => out.includes('watch: watching'), 60_000, 'berth watch to start');
    const containers = await projectContainers(endpoint, project);
    const web = containers.find((c) => c.service === 'web');
    const sync = [];
    for (let i = 0; i < syncRuns; i++) {
      const t0 = performance.now();
      await writeFile(join(dir, 'src', `probe-${i}.txt`), String(i));
      await until(() => pathExists(web.id, `/app/probe-${i}.txt`), 10_000, `probe-${i}`);
      sync.push(performance.now() - t0);
      await delay(100);
    }
    const rebuild = [];
    for (let i = 1; i <= rebuildRuns; i++) {
      const before = (await projectContainers(endpoint, project)).find((c) => c.service === 'api').id;
      const t0 = performance.now();
      await writeFile(join(dir, 'api/version.txt'), String(i));
      await until(async () => (await projectContainers(endpoint, project)).some((c) => c.service === 'api' && c.id !== before && c.state === 'running'), 60_000, 'api recreated');
      rebuild.push(performance.now() - t0);
      await delay(300);
    }
    const stats = (v) => ({ runs: v.length, p50: round(percentile(v, 50)), p90: round(percentile(v, 90)), min: round(Math.min(...v)), max: round(Math.max(...v)) });
    const report = { quietPeriodMs: 60, syncMs: stats(sync), rebuildMs: stats(rebuild), target: 'p50 sync < 150 ms, debounce included' };
    if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      log('');
      log(`write → visible in container (sync), ${sync.length} runs: p50 ${report.syncMs.p50} ms, p90 ${report.syncMs.p90} ms (min ${report.syncMs.min}, max ${report.syncMs.max}); includes the 60 ms quiet period`);
      log(`write → new container running (rebuild), ${rebuild.length} runs: p50 ${report.rebuildMs.p50} ms, p90 ${report.rebuildMs.p90} ms`);
      log(`target p50 sync < 150 ms: ${report.syncMs.p50 < 150 ? 'met' : 'NOT met'}`);
    }
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('close', r));
    await removeLabelled(endpoint, (name) => name === project);
    await dockerApi(endpoint, 'DELETE', `/images/${project}-api?force=1`, { allow: [404, 409] }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  log(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
