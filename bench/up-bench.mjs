// Benchmark: berth vs Debian's docker-compose 1.29 on the same dockerd, in one run:
// `up -d` of 12 and of 50 services from nothing, a no-op `up -d` on the running 12-service
// project, and `down` of both. Reported as ratios docker-compose / berth (issue 3: >= 2x each).
//
//   npm run build && DOCKER_HOST=unix:///… node bench/up-bench.mjs [--runs N] [--warmup N]
//       [--small N] [--large N] [--json] [--keep] [--no-count-requests] [--no-floor] [--timeout S]
//       [--berth PATH-TO-bin/berth] [--no-snapshot]
//   node bench/up-bench.mjs --render result.json     (the text report of a saved --json run)
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  RunError, buildInfo, countingDockerProxy, dockerApi, dockerEndpoint, markdownTable, projectContainers,
  removeLabelled, requestShapes, round, runOnce, snapshotBuild, wallStats,
} from './bench-lib.mjs';
import { UP_BENCH_IMAGE, UP_BENCH_NETWORK, generateUpProject, serviceSpecs, volumeNames } from './generate-up-project.mjs';
import { machineInfo } from './report.mjs';

const TARGET_RATIO = 2;
const FLOOR = 'engine floor';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Scenario names carry the project sizes: up -d small, no-op up -d small, down small, up -d large, down large.
const scenarioNames = (o) => [`up-${o.small}`, `noop-up-${o.small}`, `down-${o.small}`, `up-${o.large}`, `down-${o.large}`];
const log = (s) => process.stderr.write(`${s}\n`);

function parseArgs(argv) {
  const o = { runs: 5, warmup: 1, small: 12, large: 50, json: false, keep: false, countRequests: true, floor: true, timeoutS: 300, snapshot: true, berth: join(root, 'bin', 'berth') };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const num = (min) => {
      const v = Number(argv[++k]);
      if (!Number.isInteger(v) || v < min) throw new Error(`${a} needs an integer >= ${min}`);
      return v;
    };
    if (a === '--runs') o.runs = num(1);
    else if (a === '--warmup') o.warmup = num(0);
    else if (a === '--small') o.small = num(1);
    else if (a === '--large') o.large = num(1);
    else if (a === '--timeout') o.timeoutS = num(1);
    else if (a === '--json') o.json = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '--no-count-requests') o.countRequests = false;
    else if (a === '--no-floor') o.floor = false;
    else if (a === '--render' && argv[k + 1] !== undefined) o.render = resolve(argv[++k]);
    else if (a === '--no-snapshot') o.snapshot = false;
    else if (a === '--berth' && argv[k + 1] !== undefined) o.berth = resolve(argv[++k]);
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

// A clean, fixed environment (no COMPOSE_* settings of the caller); DOCKER_HOST picks the daemon.
function toolEnv(dockerHost) {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', ...(dockerHost === undefined ? {} : { DOCKER_HOST: dockerHost }) };
}

function peerVersion() {
  const r = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('docker-compose is not installed: apt-get install -y docker-compose (the peer is required)');
  return r.stdout.trim();
}

async function ensureImage(ep, dockerHost) {
  const img = await dockerApi(ep, 'GET', `/images/${UP_BENCH_IMAGE}/json`, { allow: [404] });
  if (img?.Id !== undefined) return 'present';
  log(`making ${UP_BENCH_IMAGE} with examples/base-image.sh`);
  const r = spawnSync(join(root, 'examples', 'base-image.sh'), [UP_BENCH_IMAGE], { encoding: 'utf8', env: { ...process.env, ...toolEnv(dockerHost) } });
  if (r.status !== 0) throw new Error(`examples/base-image.sh failed:\n${r.stderr}`);
  return 'imported';
}

function makeTools(berthBin) {
  const args = (project, cmd) => ['-f', 'compose.yaml', '-p', project, ...cmd];
  const cli = (name, short, bin, pre) => ({
    name, short,
    run: async (ctx, dir, project, cmd) => (await runOnce(bin, [...pre, ...args(project, cmd)], { cwd: dir, env: ctx.env, timeoutMs: ctx.o.timeoutS * 1000 })).wallMs,
  });
  return [cli('berth', 'b', process.execPath, [berthBin]), cli('docker-compose', 'dc', 'docker-compose', [])];
}

/**
 * The engine floor: the same containers (config, network, volumes, depends_on chains) created,
 * started, stopped and removed by raw Engine API calls from this process, with no limit on
 * concurrency and no process start. Not a tool: the least time this daemon needs for the work,
 * so docker-compose / floor is the best ratio any client could reach on it.
 */
function floorTool(ep, staleNetworks) {
  const label = (project, extra = {}) => ({ 'com.docker.compose.project': project, ...extra });
  const chainsOf = (specs) => {
    const chains = [];
    for (const s of specs) if (s.dependsOn === undefined) chains.push([s]); else chains.at(-1).push(s);
    return chains;
  };
  const containerBody = (project, dir, s) => ({
    Image: UP_BENCH_IMAGE, Cmd: ['sleep', '3600'], StopTimeout: 2,
    Env: Object.entries(s.environment).map(([k, v]) => `${k}=${v}`),
    Labels: label(project, { ...s.labels, 'com.docker.compose.service': s.name }),
    ExposedPorts: Object.fromEntries(s.ports.map((p) => [`${p.target}/${p.protocol}`, {}])),
    HostConfig: {
      Init: true, NetworkMode: `${project}_${UP_BENCH_NETWORK}`,
      PortBindings: Object.fromEntries(s.ports.map((p) => [`${p.target}/${p.protocol}`, [{ HostIp: p.hostIp, HostPort: '' }]])),
      Binds: s.volume === undefined ? [] : [`${project}_${s.volume}:/data`, ...(s.configBind ? [`${dir}/config:/etc/app:ro`] : [])],
    },
    NetworkingConfig: { EndpointsConfig: { [`${project}_${UP_BENCH_NETWORK}`]: { Aliases: [s.alias, s.name] } } },
  });
  const up = async (project, dir, specs) => {
    const containers = await projectContainers(ep, project);
    if (containers.length > 0) return; // the no-op case: one listing, nothing to do
    await Promise.all([
      dockerApi(ep, 'POST', '/networks/create', { body: { Name: `${project}_${UP_BENCH_NETWORK}`, Labels: label(project) } }),
      ...volumeNames(specs.length).map((v) => dockerApi(ep, 'POST', '/volumes/create', { body: { Name: `${project}_${v}`, Labels: label(project) } })),
    ]);
    await Promise.all(chainsOf(specs).map(async (chain) => {
      for (const s of chain) {
        const { Id } = await dockerApi(ep, 'POST', `/containers/create?name=${project}-${s.name}-1`, { body: containerBody(project, dir, s) });
        await dockerApi(ep, 'POST', `/containers/${Id}/start`);
      }
    }));
  };
  const down = async (project) => {
    const byService = new Map((await projectContainers(ep, project)).map((c) => [c.service, c.id]));
    const specs = serviceSpecs(byService.size);
    await Promise.all(chainsOf(specs).map(async (chain) => {
      for (const s of [...chain].reverse()) {
        await dockerApi(ep, 'POST', `/containers/${byService.get(s.name)}/stop?t=2`);
        await dockerApi(ep, 'DELETE', `/containers/${byService.get(s.name)}`);
      }
    }));
    // dockerd 20.10 under load sometimes keeps a stale endpoint on a network (seen with
    // docker-compose too): the floor is a reference, so that is noted, not fatal.
    await dockerApi(ep, 'DELETE', `/networks/${project}_${UP_BENCH_NETWORK}`).catch((e) => {
      if (!/active endpoints/.test(e.message)) throw e;
      staleNetworks.push(`${project}_${UP_BENCH_NETWORK}`);
    });
  };
  return {
    name: FLOOR, short: 'fl',
    run: async (_ctx, dir, project, cmd, size) => {
      const t0 = process.hrtime.bigint();
      if (cmd[0] === 'up') await up(project, dir, serviceSpecs(size));
      else await down(project);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    },
  };
}

/** Checks what a run left on the daemon: a run that did not do its job is an error, not a number. */
async function expectRunning(ep, project, n, label) {
  const cs = await projectContainers(ep, project);
  const running = cs.filter((c) => c.state === 'running');
  if (cs.length !== n || running.length !== n) throw new RunError(`${label}: expected ${n} running containers of ${project}, found ${running.length} running of ${cs.length}`);
  return new Set(cs.map((c) => c.id));
}

async function expectGone(ep, project, label, stale = []) {
  const cs = await projectContainers(ep, project);
  const nets = await dockerApi(ep, 'GET', `/networks?filters=${encodeURIComponent(JSON.stringify({ label: [`com.docker.compose.project=${project}`] }))}`);
  const left = nets.filter((n) => !stale.includes(n.Name));
  if (cs.length !== 0 || left.length !== 0) throw new RunError(`${label}: ${cs.length} containers and ${nets.length} networks of ${project} left after down`);
}

/** Removes what `down` keeps (volumes); a stale network already noted is no failure. */
async function dropVolumes(ctx, project) {
  await removeLabelled(ctx.ep, (p) => p === project).catch((e) => {
    if (!(/active endpoints/.test(e.message) && ctx.staleNetworks.some((n) => n.startsWith(`${project}_`)))) throw e;
  });
}

/**
 * One tool's full sequence: up small, no-op up small, down small, up large, down large.
 * record(scenario, ms) gets every timing; returns nothing, throws on any failure.
 */
async function sequence(ctx, tool, tag, record) {
  const { ep, dirs, o } = ctx;
  const run = (size, project, cmd) => tool.run(ctx, dirs[size], project, cmd, o[size]);
  const small = `${ctx.prefix}-${tool.short}-s-${tag}`;
  const large = `${ctx.prefix}-${tool.short}-l-${tag}`;
  const label = (s) => `${tool.name} ${s} (${tag})`;
  const [upS, noopS, downS, upL, downL] = scenarioNames(o);
  record(upS, await run('small', small, ['up', '-d']));
  const ids = await expectRunning(ep, small, o.small, label(upS));
  record(noopS, await run('small', small, ['up', '-d']));
  const after = await expectRunning(ep, small, o.small, label(noopS));
  if ([...ids].some((id) => !after.has(id))) throw new RunError(`${label(noopS)}: containers were recreated by a no-op up`);
  // dockerd 20.10 under load sometimes keeps a stale endpoint on a network, and then either
  // tool's `down` fails removing it although it did its work: that run is timed and the
  // network noted (and left for a daemon restart), not counted as a tool failure.
  const down = async (size, project) => {
    try {
      return await run(size, project, ['down']);
    } catch (e) {
      const stale = e instanceof RunError && e.wallMs !== undefined ? /network (\S+?)(?: id \S+)? has active endpoints/.exec(e.message) : null;
      if (stale === null) throw e;
      ctx.staleNetworks.push(stale[1]);
      return e.wallMs;
    }
  };
  record(downS, await down('small', small));
  await expectGone(ep, small, label(downS), ctx.staleNetworks);
  await dropVolumes(ctx, small); // the named volumes `down` keeps
  if (record.skipLarge === true) return;
  record(upL, await run('large', large, ['up', '-d']));
  await expectRunning(ep, large, o.large, label(upL));
  record(downL, await down('large', large));
  await expectGone(ep, large, label(downL), ctx.staleNetworks);
  await dropVolumes(ctx, large);
}

/** One untimed round per tool through a counting proxy: Engine API requests per scenario. */
async function countRequests(ctx, tools) {
  const proxy = await countingDockerProxy(ctx.ep);
  const out = {};
  try {
    for (const tool of tools) {
      out[tool.name] = {};
      const c = { ...ctx, env: toolEnv(proxy.host) };
      proxy.take();
      await sequence(c, tool, 'count', (scenario) => {
        const lines = proxy.take();
        out[tool.name][scenario] = { requests: lines.length, shapes: requestShapes(lines) };
      });
    }
  } finally {
    await proxy.close();
  }
  return out;
}

function summarizeReport(report, walls, scenarios, nodeStarts) {
  report.nodeStartMs = nodeStarts.length > 0 ? wallStats(nodeStarts) : { median: 0 };
  for (const scenario of scenarios) {
    const row = { scenario, tools: {} };
    for (const [tool, byScenario] of Object.entries(walls)) row.tools[tool] = { runs: byScenario[scenario].length, wallMs: wallStats(byScenario[scenario]) };
    const [b, p, f] = [row.tools.berth.wallMs, row.tools['docker-compose'].wallMs, row.tools[FLOOR]?.wallMs];
    row.ratio = { median: round(p.median / b.median), p90: round(p.p90 / b.p90) };
    row.targetMet = row.ratio.median >= TARGET_RATIO;
    // docker-compose / floor: what a client with zero overhead would reach on this daemon.
    // A Node CLI also pays for starting node: the floor of a CLI is floor + an empty node process.
    if (f !== undefined) row.floorRatio = { median: round(p.median / (f.median + report.nodeStartMs.median)) };
    report.results.push(row);
  }
}

function renderText(r) {
  const m = r.machine;
  const lines = [
    `berth up/down benchmark, ${r.date}`,
    `machine: ${m.cpu} x${m.cpus}, ${m.memGb} GB, ${m.os}, node ${m.node}; load average (1 min) ${m.loadAvg1m.start} at start, ${m.loadAvg1m.end} at end, max ${m.loadAvg1m.max} at a round start`,
    `berth build: ${r.options.berth}; repository at ${r.build.commit ?? 'unknown'}${r.build.dirty === true ? ' + uncommitted changes' : ''}${r.options.snapshot ? ' (snapshot of dist/ taken at start)' : ''}`,
    `peer: docker-compose ${r.peer.version}; dockerd ${r.engine.version} (API ${r.engine.apiVersion}, ${r.engine.storageDriver}) at ${r.engine.host}`,
    `projects: ${r.options.small} and ${r.options.large} services of ${UP_BENCH_IMAGE}; ${r.options.runs} timed rounds (+${r.options.warmup} warm-up), tool order alternating per round`,
    '',
    markdownTable(['scenario', 'tool', 'runs', 'median ms', 'p90 ms', 'min ms', 'max ms'],
      r.results.flatMap((x) => Object.entries(x.tools).map(([t, v]) => [x.scenario, t, v.runs, v.wallMs.median, v.wallMs.p90, v.wallMs.min, v.wallMs.max]))),
    '',
    markdownTable(['scenario', 'ratio median', 'ratio p90', `target >= ${TARGET_RATIO}x`, ...(r.options.floor ? ['best possible (docker-compose / (floor + node start))'] : []),
      ...(r.requests === null ? [] : ['API requests berth', 'API requests docker-compose'])],
      r.results.map((x) => [x.scenario, `${x.ratio.median}x`, `${x.ratio.p90}x`, x.targetMet ? 'met' : 'NOT met', ...(r.options.floor ? [`${x.floorRatio.median}x`] : []),
        ...(r.requests === null ? [] : [r.requests.berth[x.scenario].requests, r.requests['docker-compose'][x.scenario].requests])]), 1),
    '',
    'ratio = docker-compose / berth wall time (greater than 1: berth is faster)',
    ...(r.staleNetworks.length > 0 ? [`dockerd kept a stale endpoint on (left behind): ${r.staleNetworks.join(', ')}`] : []),
    ...(r.options.floor ? [
      `${FLOOR} = the same work as raw Engine API calls from the benchmark process (no process start, unlimited concurrency, same depends_on chains);`,
      `node start = an empty \`node -e 0\` process, median ${r.nodeStartMs.median} ms`,
    ] : []),
    '',
  ];
  return lines.join('\n');
}

/** Removes every resource of this invocation's projects; a second pass catches late endpoints. */
async function safetyCleanup(ep, mine) {
  for (let pass = 1; ; pass++) {
    try {
      const r = await removeLabelled(ep, mine);
      if (r.containers + r.networks + r.volumes > 0) log(`cleanup removed ${r.containers} containers, ${r.networks} networks, ${r.volumes} volumes`);
      return;
    } catch (e) {
      if (pass === 3) throw e;
      await new Promise((res) => setTimeout(res, 1000));
    }
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.render !== undefined) {
    process.stdout.write(renderText(JSON.parse(readFileSync(o.render, 'utf8'))));
    return;
  }
  const ep = dockerEndpoint();
  const dockerHost = process.env.DOCKER_HOST;
  const ver = await dockerApi(ep, 'GET', '/version').catch((e) => {
    throw new Error(`no Docker Engine at ${dockerHost ?? '/var/run/docker.sock'} (${e.message})`);
  });
  const info = await dockerApi(ep, 'GET', '/info');
  // Unique per invocation, so a concurrent benchmark or test project is never touched.
  const prefix = `upbench${Date.now().toString(36)}`;
  const mine = (p) => p.startsWith(`${prefix}-`);
  const dirs = {};
  const report = {
    date: new Date().toISOString(), machine: { ...machineInfo(), loadAvg1m: { start: round(loadavg()[0]), max: 0 } },
    build: buildInfo(root), options: { runs: o.runs, warmup: o.warmup, small: o.small, large: o.large, berth: o.berth, snapshot: o.snapshot, floor: o.floor },
    peer: { tool: 'docker-compose', version: peerVersion() },
    engine: { version: ver.Version, apiVersion: ver.ApiVersion, storageDriver: info.Driver, host: dockerHost ?? 'unix:///var/run/docker.sock' },
    image: { name: UP_BENCH_IMAGE, status: await ensureImage(ep, dockerHost) },
    prefix, results: [], requests: null, staleNetworks: [],
  };
  const onSignal = () => {
    log('interrupted: removing the benchmark projects');
    void removeLabelled(ep, mine).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (o.snapshot) {
      const snap = snapshotBuild(o.berth);
      dirs.build = snap.dir;
      o.berth = snap.berth;
    }
    dirs.small = generateUpProject({ services: o.small }).dir;
    dirs.large = generateUpProject({ services: o.large }).dir;
    const tools = makeTools(o.berth);
    const ctx = { ep, dirs, o, prefix, env: toolEnv(dockerHost), staleNetworks: report.staleNetworks };
    const scenarios = scenarioNames(o);
    const floor = o.floor ? [floorTool(ep, report.staleNetworks)] : [];
    const nodeStarts = [];
    const walls = Object.fromEntries([...tools, ...floor].map((t) => [t.name, Object.fromEntries(scenarios.map((s) => [s, []]))]));
    for (let w = 0; w < o.warmup; w++) {
      log(`warm-up round ${w + 1}/${o.warmup}`);
      for (const t of [...tools, ...floor]) await sequence(ctx, t, `w${w}`, Object.assign(() => {}, { skipLarge: true }));
    }
    for (let r = 0; r < o.runs; r++) {
      report.machine.loadAvg1m.max = Math.max(report.machine.loadAvg1m.max, round(loadavg()[0]));
      const order = [...(r % 2 === 0 ? tools : [...tools].reverse()), ...floor];
      if (o.floor) nodeStarts.push((await runOnce(process.execPath, ['-e', '0'], { cwd: root, env: ctx.env })).wallMs);
      for (const t of order) {
        log(`round ${r + 1}/${o.runs}: ${t.name}`);
        await sequence(ctx, t, `r${r}`, (scenario, ms) => walls[t.name][scenario].push(ms));
      }
    }
    report.machine.loadAvg1m.end = round(loadavg()[0]);
    summarizeReport(report, walls, scenarios, nodeStarts);
    if (o.countRequests) {
      log('counting Engine API requests (one untimed round per tool through a proxy)');
      report.requests = await countRequests(ctx, tools);
    }
    process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report));
  } finally {
    // Never let a cleanup problem hide the error that got us here; log it and go on.
    await safetyCleanup(ep, mine).catch((e) => log(`cleanup failed: ${e.message}`));
    if (o.keep) log(`kept generated projects: ${Object.values(dirs).join(' ')}`);
    else for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`error: ${err instanceof RunError ? 'a benchmark run failed: ' : ''}${err.message}\n`);
  process.exitCode = 1;
});
