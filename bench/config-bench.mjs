// Benchmark: `berth config` on a generated 500-service project (anchors, merge keys, extends,
// interpolation, three override files), cold process, side by side with docker-compose 1.29.
//
//   npm run build && node bench/config-bench.mjs [--runs N] [--warmup N] [--mem-runs N]
//                                                [--services N] [--seed N] [--json] [--keep]
//                                                [--berth PATH-TO-bin/berth] [--no-snapshot]
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { RunError, buildInfo, hasGnuTime, probeCommandRss, probeNodeRss, round, runOnce, snapshotBuild, summarize } from './bench-lib.mjs';
import { BENCH_ENV, OVERRIDE_FILES, generateProject } from './generate-project.mjs';
import { machineInfo, renderTable } from './report.mjs';

const TARGET_WALL_MS = 300;
const TARGET_RSS_MB = 120;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const probe = join(root, 'bench', 'rss-probe.mjs');

function parseArgs(argv) {
  const o = { runs: 10, warmup: 1, memRuns: 3, services: 500, seed: 20261124, json: false, keep: false, snapshot: true, berth: join(root, 'bin', 'berth') };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const num = () => {
      const v = Number(argv[++k]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a} needs a non-negative integer`);
      return v;
    };
    if (a === '--runs') o.runs = Math.max(1, num());
    else if (a === '--warmup') o.warmup = num();
    else if (a === '--mem-runs') o.memRuns = Math.max(1, num());
    else if (a === '--services') o.services = num();
    else if (a === '--seed') o.seed = num();
    else if (a === '--json') o.json = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '--no-snapshot') o.snapshot = false;
    else if (a === '--berth' && argv[k + 1] !== undefined) o.berth = resolve(argv[++k]);
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const composeArgs = ['-f', 'compose.yaml', ...OVERRIDE_FILES.flatMap((f) => ['-f', f]), 'config'];
// A clean, fixed environment so user settings (COMPOSE_FILE, DOCKER_HOST…) cannot skew a run.
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', COMPOSE_PROJECT_NAME: 'berthbench', ...BENCH_ENV };

function peerVersion() {
  const r = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8', env });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function makeCase(tool, variant, dir, gnuTime, berthBin) {
  const opts = { cwd: dir, env };
  if (tool === 'berth') {
    return {
      tool, variant,
      run: (extra = {}) => runOnce(process.execPath, [berthBin, ...composeArgs], { ...opts, ...extra }),
      rss: () => probeNodeRss(probe, berthBin, composeArgs, opts),
    };
  }
  return {
    tool, variant,
    run: (extra = {}) => runOnce('docker-compose', composeArgs, { ...opts, ...extra }),
    rss: () => probeCommandRss('docker-compose', composeArgs, opts, gnuTime),
  };
}

async function sanity(c) {
  const { stdout } = await c.run({ captureStdout: true });
  const doc = parse(stdout, { maxAliasCount: -1 });
  return Object.keys(doc?.services ?? {}).length;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const log = (s) => process.stderr.write(`${s}\n`);
  const dirs = {};
  const version = peerVersion();
  const gnuTime = hasGnuTime();
  const report = {
    date: new Date().toISOString(), machine: machineInfo(),
    project: { services: o.services, seed: o.seed, files: ['compose.yaml', ...OVERRIDE_FILES], command: `<tool> ${composeArgs.join(' ')}` },
    build: buildInfo(root),
    options: { runs: o.runs, warmup: o.warmup, memRuns: o.memRuns, berth: o.berth, snapshot: o.snapshot },
    peer: { tool: 'docker-compose', version: version ?? null, fullVariant: null },
    results: [], ratios: null, targets: null,
  };
  // Other work on the machine skews timings; the 1-minute load average makes that visible.
  report.machine.loadAvg1m = { start: round(loadavg()[0]) };
  try {
    if (o.snapshot) {
      const snap = snapshotBuild(o.berth);
      dirs.build = snap.dir;
      o.berth = snap.berth;
    }
    dirs.full = generateProject({ services: o.services, seed: o.seed, variant: 'full' }).dir;
    const cases = [makeCase('berth', 'full', dirs.full, gnuTime, o.berth)];
    if (version !== undefined) {
      dirs.peer = generateProject({ services: o.services, seed: o.seed, variant: 'peer' }).dir;
      const peerFull = makeCase('docker-compose', 'full', dirs.full, gnuTime, o.berth);
      try {
        await peerFull.run();
        cases.push(peerFull);
        report.peer.fullVariant = { ok: true };
      } catch (err) {
        if (!(err instanceof RunError)) throw err;
        report.peer.fullVariant = { ok: false, error: err.message.split('\n').slice(1, 3).join(' ').replace(/\s+/g, ' ').slice(0, 300) };
      }
      cases.push(makeCase('berth', 'peer', dirs.peer, gnuTime, o.berth), makeCase('docker-compose', 'peer', dirs.peer, gnuTime, o.berth));
    } else {
      log('docker-compose not found on PATH: measuring berth only (apt-get install -y docker-compose for the peer)');
    }
    const rows = new Map(cases.map((c) => [c, { wall: [], rss: [], rssMethod: '', servicesOut: 0 }]));
    for (const c of cases) rows.get(c).servicesOut = await sanity(c);
    // Rounds interleave the tools so drift in machine load hits every case alike.
    for (let r = 0; r < o.warmup; r++) for (const c of cases) await c.run();
    for (let r = 0; r < o.runs; r++) {
      log(`timed round ${r + 1}/${o.runs}`);
      for (const c of cases) rows.get(c).wall.push((await c.run()).wallMs);
    }
    for (let r = 0; r < o.memRuns; r++) {
      log(`memory round ${r + 1}/${o.memRuns}`);
      for (const c of cases) {
        const m = await c.rss();
        rows.get(c).rss.push(m.kb);
        rows.get(c).rssMethod = m.method;
      }
    }
    for (const c of cases) {
      const row = rows.get(c);
      report.results.push({ tool: c.tool, variant: c.variant, servicesOut: row.servicesOut, rssMethod: row.rssMethod, ...summarize(row.wall, row.rss) });
    }
    const find = (tool, variant) => report.results.find((x) => x.tool === tool && x.variant === variant);
    const [b, p] = [find('berth', 'peer'), find('docker-compose', 'peer')];
    if (b && p) {
      report.ratios = {
        variant: 'peer', meaning: 'docker-compose / berth (greater than 1: berth is faster / smaller)',
        medianWall: round(p.wallMs.median / b.wallMs.median), p90Wall: round(p.wallMs.p90 / b.wallMs.p90), peakRss: round(p.peakRssMb.max / b.peakRssMb.max),
      };
    }
    const bf = find('berth', 'full');
    report.targets = {
      variant: 'full',
      wall: { targetMs: TARGET_WALL_MS, medianMs: bf.wallMs.median, p90Ms: bf.wallMs.p90, met: bf.wallMs.median < TARGET_WALL_MS, metAtP90: bf.wallMs.p90 < TARGET_WALL_MS },
      rss: { targetMb: TARGET_RSS_MB, peakMb: bf.peakRssMb.max, met: bf.peakRssMb.max < TARGET_RSS_MB },
    };
    report.machine.loadAvg1m.end = round(loadavg()[0]);
    process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report));
  } finally {
    if (o.keep) log(`kept generated projects: ${Object.values(dirs).join(' ')}`);
    else for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`error: ${err instanceof RunError ? 'a benchmark run failed: ' : ''}${err.message}\n`);
  process.exitCode = 1;
});
