// Benchmark: berth's embedded engine vs dockerd on the same machine, in one run (issue 4):
//  1. container start latency: create → process running, through berth's Engine interface
//     (the same code path `berth up` uses) on each engine;
//  2. `berth up -d` of a 12-service project from nothing (and `down`), with the same berth CLI
//     on `--engine embedded` and on `--engine docker`.
// Targets: `up -d` of 12 services under 1 s on the embedded engine, and >= 3x faster than dockerd.
//
//   npm run build && DOCKER_HOST=unix:///… node bench/embedded-bench.mjs [--runs N] [--starts N]
//       [--services N] [--json] [--root DIR] [--settle-ms MS] [--warmup N] [--no-snapshot]
// (--warmup: untimed up/down rounds per engine first, default 1; --no-snapshot: run bin/berth in
// place instead of a private copy of the build)
// Needs root, the embedded engine's packages, a running dockerd, and the image
// `berth-busybox:latest` in both engines (examples/base-image.sh, examples/base-image.sh --engine embedded).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunError, markdownTable, round, runOnce, snapshotBuild, wallStats } from './bench-lib.mjs';
import { UP_BENCH_IMAGE, generateUpProject } from './generate-up-project.mjs';
import { machineInfo } from './report.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (s) => process.stderr.write(`${s}\n`);

function parseArgs(argv) {
  const o = { runs: 5, starts: 20, services: 12, json: false, settleMs: 1000, root: process.env.BERTH_ROOT ?? '/var/lib/berth', snapshot: true, warmup: 1 };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const num = () => {
      const v = Number(argv[++k]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--runs') o.runs = num();
    else if (a === '--starts') o.starts = num();
    else if (a === '--services') o.services = num();
    else if (a === '--json') o.json = true;
    else if (a === '--no-snapshot') o.snapshot = false;
    else if (a === '--warmup') o.warmup = Number(argv[++k]);
    else if (a === '--settle-ms') o.settleMs = Number(argv[++k]);
    else if (a === '--root' && argv[k + 1] !== undefined) o.root = argv[++k];
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

async function engines(o) {
  const { openEmbeddedEngine } = await import(join(root, 'dist/src/engine/embedded/embedded-engine.js'));
  const { createDockerEngine } = await import(join(root, 'dist/src/engine/docker/docker-engine.js'));
  return {
    embedded: await openEmbeddedEngine({ root: o.root, pathEnv: process.env.PATH }),
    docker: createDockerEngine(),
  };
}

function spec(name, project) {
  return {
    name, image: UP_BENCH_IMAGE, labels: { 'com.docker.compose.project': project }, env: [], tty: false, stdinOpen: false,
    exposedPorts: [], ports: [], mounts: [], networkMode: 'bridge', networks: [], links: [], extraHosts: [], dns: [], dnsSearch: [],
    dnsOptions: [], restartPolicy: { name: 'no' }, init: false, privileged: false, readOnlyRootfs: false, capAdd: [], capDrop: [],
    securityOpt: [], sysctls: {}, ulimits: [], tmpfs: {}, devices: [], groupAdd: [], resources: {}, volumesFrom: [],
    command: ['sleep', '300'], stopTimeoutSeconds: 1,
  };
}

/** create → start → running, `n` times; every container removed afterwards. */
async function startLatency(engine, n, tag) {
  const project = `bench-start-${tag}-${process.pid}`;
  const times = [];
  const ids = [];
  try {
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      const id = await engine.createContainer(spec(`${project}-${i}`, project));
      ids.push(id);
      await engine.startContainer(id);
      const d = await engine.inspectContainer(id);
      if (d.state !== 'running') throw new Error(`${tag}: container ${i} is ${d.state}`);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  } finally {
    for (const id of ids) await engine.removeContainer(id, { force: true, volumes: true }).catch(() => undefined);
  }
  return wallStats(times);
}

async function upDown(o, engineName, dir, project) {
  const bin = o.berth;
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', BERTH_ROOT: o.root, ...(process.env.DOCKER_HOST !== undefined ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}) };
  const args = (cmd) => ['--engine', engineName, '-p', project, '--project-directory', dir, '--progress', 'quiet', ...cmd];
  const up = [];
  const down = [];
  // Untimed rounds first: the compile cache of each command is written, images are warm.
  for (let r = 0; r < o.warmup; r++) {
    await runOnce(bin, args(['up', '-d']), { cwd: dir, env, timeoutMs: 300_000 }).finally(() => runOnce(bin, args(['down', '-v', '-t', '1']), { cwd: dir, env, timeoutMs: 300_000 }));
    await new Promise((r) => setTimeout(r, o.settleMs));
  }
  for (let r = 0; r < o.runs; r++) {
    try {
      up.push((await runOnce(bin, args(['up', '-d']), { cwd: dir, env, timeoutMs: 300_000 })).wallMs);
    } finally {
      const t = await runOnce(bin, args(['down', '-v', '-t', '1']), { cwd: dir, env, timeoutMs: 300_000 });
      down.push(t.wallMs);
      // The kernel tears network namespaces down after `down` returns (both engines): let that
      // finish so the next round measures `up -d` on a settled machine.
      await new Promise((r) => setTimeout(r, o.settleMs));
    }
  }
  return { up: wallStats(up), down: wallStats(down) };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  // A private copy of the build: teammates rebuilding dist/ meanwhile cannot mix two builds.
  const snap = o.snapshot ? snapshotBuild(join(root, 'bin', 'berth')) : undefined;
  o.berth = snap?.berth ?? join(root, 'bin', 'berth');
  const { embedded, docker } = await engines(o);
  for (const [name, engine] of Object.entries({ embedded, docker })) {
    if ((await engine.inspectImage(UP_BENCH_IMAGE)) === undefined) {
      throw new Error(`${name} engine has no ${UP_BENCH_IMAGE}: run examples/base-image.sh${name === 'embedded' ? ' --engine embedded' : ''}`);
    }
  }
  log(`start latency: ${o.starts} containers per engine`);
  // The start-latency containers use the default network; an embedded `bridge` made for them
  // goes again afterwards (dockerd's docker0 is its own).
  const hadBridge = await embedded.inspectNetwork('bridge').then(() => true, () => false);
  const start = { embedded: await startLatency(embedded, o.starts, 'embedded'), docker: await startLatency(docker, o.starts, 'docker') };
  if (!hadBridge) await embedded.removeNetwork('bridge').catch(() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'berth-embedded-bench-'));
  let up;
  try {
    generateUpProject({ dir, services: o.services });
    log(`up -d / down of ${o.services} services, ${o.runs} runs per engine`);
    up = {
      embedded: await upDown(o, 'embedded', dir, `bench-emb-${process.pid}`),
      docker: await upDown(o, 'docker', dir, `bench-dck-${process.pid}`),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (snap !== undefined) rmSync(snap.dir, { recursive: true, force: true });
  }
  const ratio = (a, b) => round(a / b);
  const result = {
    machine: machineInfo(), load: loadavg().map(round), services: o.services, runs: o.runs, starts: o.starts,
    engines: { embedded: (await embedded.info()).version, docker: (await docker.info()).version },
    start, up,
    ratios: {
      start: ratio(start.docker.median, start.embedded.median),
      up: ratio(up.docker.up.median, up.embedded.up.median),
      down: ratio(up.docker.down.median, up.embedded.down.median),
    },
    targets: { upUnder1s: up.embedded.up.median < 1000, up3x: up.docker.up.median / up.embedded.up.median >= 3 },
  };
  if (o.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const rows = [
    ['container start (create → running)', `${start.embedded.median} ms`, `${start.docker.median} ms`, `${result.ratios.start}×`],
    [`up -d, ${o.services} services`, `${up.embedded.up.median} ms`, `${up.docker.up.median} ms`, `${result.ratios.up}×`],
    [`down -v, ${o.services} services`, `${up.embedded.down.median} ms`, `${up.docker.down.median} ms`, `${result.ratios.down}×`],
  ];
  process.stdout.write(`${markdownTable(['scenario (median)', 'embedded', 'dockerd', 'dockerd / embedded'], rows, 1)}\n\n`);
  process.stdout.write(`engines: embedded ${result.engines.embedded}; docker ${result.engines.docker}\n`);
  process.stdout.write(`targets: up -d under 1 s: ${result.targets.upUnder1s ? 'met' : 'NOT met'}; >= 3x dockerd: ${result.targets.up3x ? 'met' : 'NOT met'}\n`);
}

main().catch((err) => {
  log(err instanceof RunError || err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
