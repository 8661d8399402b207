// Benchmark: network throughput on berth's embedded engine vs dockerd, in one run (issue 5):
//  1. host → container through a port published on 127.0.0.1, 1 MiB writes (this process streams
//     into the sink), and 2. the same with 1 KiB writes (the host's BusyBox `dd | nc` pipe);
//  3. container → container on a project network, 1 MiB writes (`nc -e dd …` in `source` → `sink`),
//     and 4. the same through a `dd | nc` pipe (BusyBox nc copies in 1 KiB writes).
// Same berth CLI, same generated project, `--engine embedded` (BERTH_ROOT) and `--engine docker`.
// Reported as MB/s (10^6 bytes/s), median of R rounds, and the ratio embedded / dockerd.
//
//   npm run build && node bench/network-bench.mjs [--mib N] [--nc-mib N] [--runs R] [--warmup N] [--json]
//       [--root DIR] [--timeout S] [--berth PATH-TO-bin/berth] [--no-snapshot] [--keep]
//   node bench/network-bench.mjs --render result.json     (the text report of a saved --json run)
// Needs root, a running dockerd (DOCKER_HOST), the embedded engine's host tools, and the image
// `berth-busybox:latest` in both engines (examples/base-image.sh, examples/base-image.sh --engine embedded).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunError, buildInfo, dockerApi, dockerEndpoint, markdownTable, median, removeLabelled, round, runOnce, snapshotBuild } from './bench-lib.mjs';
import { machineInfo } from './report.mjs';

const IMAGE = 'berth-busybox:latest';
const BUSYBOX = '/bin/busybox'; // Debian's busybox-static, which the image is made of
const PORT = 5001;
const MIB = 1024 * 1024;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (s) => process.stderr.write(`${s}\n`);
const SCENARIOS = [
  { key: 'hostToContainer', label: 'host → container, published 127.0.0.1 port, 1 MiB writes', nc: false },
  { key: 'hostNcPipe', label: 'host → container, published 127.0.0.1 port, 1 KiB writes (nc)', nc: true },
  { key: 'containerToContainer', label: 'container → container, project network, 1 MiB writes', nc: false },
  { key: 'ncPipe', label: 'container → container, project network, 1 KiB writes (nc)', nc: true },
];

function parseArgs(argv) {
  const o = { mib: 256, ncMib: undefined, runs: 3, warmup: 1, json: false, keep: false, snapshot: true, timeoutS: 120, root: process.env.BERTH_ROOT ?? '/var/lib/berth', berth: join(root, 'bin', 'berth') };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const num = (min) => {
      const v = Number(argv[++k]);
      if (!Number.isInteger(v) || v < min) throw new Error(`${a} needs an integer >= ${min}`);
      return v;
    };
    if (a === '--mib') o.mib = num(1);
    else if (a === '--nc-mib') o.ncMib = num(1);
    else if (a === '--runs') o.runs = num(1);
    else if (a === '--warmup') o.warmup = num(0);
    else if (a === '--timeout') o.timeoutS = num(1);
    else if (a === '--json') o.json = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '--no-snapshot') o.snapshot = false;
    else if (a === '--render' && argv[k + 1] !== undefined) o.render = resolve(argv[++k]);
    else if (a === '--root' && argv[k + 1] !== undefined) o.root = resolve(argv[++k]);
    else if (a === '--berth' && argv[k + 1] !== undefined) o.berth = resolve(argv[++k]);
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

// The sink reads a line with the size in MiB (ash's `read` takes one byte at a time, so it
// leaves the payload alone), then exactly that many MiB in 1 MiB reads, and answers with dd's
// record counts. The sender stops its clock on the answer: the time covers delivery, not just
// the sender's socket buffer. `-ll` keeps nc listening, one forked sink per connection.
const SINK = `read n; dd bs=${MIB} count=$$n iflag=fullblock of=/dev/null 2>&1`;

function projectYaml() {
  return [
    'services:',
    '  sink:',
    `    image: ${IMAGE}`,
    `    command: ["nc", "-ll", "-p", "${PORT}", "-e", "sh", "-c", ${JSON.stringify(SINK)}]`,
    '    init: true',
    '    stop_grace_period: 1s',
    `    ports: ["127.0.0.1::${PORT}"]`,
    '    networks: [bench]',
    '  source:',
    `    image: ${IMAGE}`,
    '    command: ["sleep", "3600"]',
    '    init: true',
    '    stop_grace_period: 1s',
    '    networks: [bench]',
    'networks:',
    '  bench: {}',
    '',
  ].join('\n');
}

/** The sink's answer for n MiB delivered whole ("n+0 records in"); anything else is a failed run. */
function checkReply(reply, mib, what) {
  if (!new RegExp(`(^|\\n)${mib}\\+0 records in\\n`).test(reply)) throw new RunError(`${what}: the sink did not get ${mib} MiB; it answered ${JSON.stringify(reply.trim())}`);
}

/** Streams mib MiB from this process into host:port; resolves with seconds from connect to the sink's answer. */
function hostSend(port, mib, timeoutMs) {
  return new Promise((resolvePromise, reject) => {
    const chunk = Buffer.alloc(MIB);
    const t0 = process.hrtime.bigint();
    const sock = connect({ host: '127.0.0.1', port });
    let reply = '';
    let sent = 0;
    const timer = setTimeout(() => sock.destroy(new Error(`no answer from the sink within ${timeoutMs} ms`)), timeoutMs);
    const pump = () => {
      while (sent < mib) {
        sent += 1;
        if (!sock.write(chunk)) return void sock.once('drain', pump);
      }
      sock.end(); // half-close: the answer still comes back
    };
    sock.once('connect', () => {
      sock.setNoDelay(true);
      sock.write(`${mib}\n`);
      pump();
    });
    sock.on('data', (d) => (reply += d.toString('utf8')));
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('close', (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolvePromise({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, reply });
    });
  });
}

// Timed by BusyBox ash itself with $EPOCHREALTIME (microseconds), from before nc starts to the
// sink's answer: `berth exec` start-up (hundreds of ms) stays out of the number. `pipe`: dd feeds
// nc, which forwards in 1 KiB writes; otherwise nc hands the socket to dd (1 MiB writes). `bb`
// is the prefix for the applets ('busybox ' on the host, where dd and nc are other programs).
const sendScript = (mib, pipe, target, port, bb = '') => {
  const send = pipe
    ? `{ echo ${mib}; ${bb}dd if=/dev/zero bs=${MIB} count=${mib} 2>/dev/null; } | ${bb}nc ${target} ${port} 2>&1`
    : `${bb}nc ${target} ${port} -e ${bb}sh -c "echo ${mib}; ${bb}dd if=/dev/zero bs=${MIB} count=${mib} 2>/dev/null; ${bb}cat >&2" 2>&1`;
  return `t0=$EPOCHREALTIME; r=$(${send}); t1=$EPOCHREALTIME; echo "$t0 $t1"; echo "$r"`;
};

/** Seconds between the two $EPOCHREALTIME stamps, after checking the sink's answer. */
function scriptSeconds(out, mib, what) {
  const m = /^(\d+\.\d+) (\d+\.\d+)\n([\s\S]*)$/.exec(out);
  if (m === null) throw new RunError(`${what}: unexpected output ${JSON.stringify(out)}`);
  checkReply(m[3], mib, what);
  return Number(m[2]) - Number(m[1]);
}

function makeEngine(name, ctx) {
  const project = `${ctx.prefix}-${name === 'embedded' ? 'emb' : 'dck'}`;
  const berth = (args, timeoutMs = ctx.o.timeoutS * 1000) =>
    runOnce(process.execPath, [ctx.berthBin, '--engine', name, '-f', 'compose.yaml', '-p', project, '--progress', 'quiet', ...args], { cwd: ctx.dir, env: ctx.env, captureStdout: true, timeoutMs });
  const eng = { name, project, started: false, port: 0, runs: Object.fromEntries(SCENARIOS.map((s) => [s.key, []])) };
  eng.up = async () => {
    eng.started = true; // from here on, finally must take it down even if up fails half-way
    await berth(['up', '-d']);
    const out = (await berth(['port', 'sink', String(PORT)])).stdout.trim();
    const m = /^127\.0\.0\.1:(\d+)$/.exec(out);
    if (m === null) throw new RunError(`${name}: \`berth port sink ${PORT}\` printed ${JSON.stringify(out)}, expected 127.0.0.1:<port>`);
    eng.port = Number(m[1]);
    // dockerd's proxy accepts before the sink listens, DNAT refuses: retry a 1 MiB transfer until one is answered.
    for (let attempt = 1; ; attempt++) {
      try {
        checkReply((await hostSend(eng.port, 1, 5000)).reply, 1, `${name} readiness`);
        return;
      } catch (e) {
        if (attempt >= 50) throw new RunError(`${name}: the sink on 127.0.0.1:${eng.port} never answered (${e.message})`);
        await new Promise((res) => setTimeout(res, 200));
      }
    }
  };
  eng.measure = async (key, mib) => {
    if (key === 'hostToContainer') {
      const r = await hostSend(eng.port, mib, ctx.o.timeoutS * 1000);
      checkReply(r.reply, mib, `${name} ${key}`);
      return r.seconds;
    }
    if (key === 'hostNcPipe') {
      const script = sendScript(mib, true, '127.0.0.1', eng.port, `${BUSYBOX} `);
      return scriptSeconds((await runOnce(BUSYBOX, ['sh', '-c', script], { cwd: ctx.dir, env: ctx.env, captureStdout: true, timeoutMs: ctx.o.timeoutS * 1000 })).stdout, mib, `${name} ${key}`);
    }
    const out = (await berth(['exec', '-T', 'source', 'sh', '-c', sendScript(mib, key === 'ncPipe', 'sink', PORT)])).stdout;
    return scriptSeconds(out, mib, `${name} ${key}`);
  };
  eng.down = () => berth(['down', '-v', '--remove-orphans', '-t', '1'], 120_000);
  return eng;
}

/** Whether dockerd serves this host port with its userland proxy (docker-proxy) or only with DNAT. */
function dockerPortPath(port) {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let argv;
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile
    }
    const at = argv.indexOf('-host-port');
    if (argv[0]?.endsWith('docker-proxy') && at >= 0 && argv[at + 1] === String(port)) return 'docker-proxy (userland proxy)';
  }
  return 'iptables DNAT (no docker-proxy)';
}

async function checkTools(ctx, ep) {
  const bb = spawnSync(BUSYBOX, ['sh', '-c', 'echo $EPOCHREALTIME'], { encoding: 'utf8' });
  if (bb.status !== 0 || !/^\d+\.\d+\n$/.test(bb.stdout)) throw new Error(`${BUSYBOX} with $EPOCHREALTIME is needed for the 1 KiB host rows: apt-get install busybox-static`);
  const img = await dockerApi(ep, 'GET', `/images/${IMAGE}/json`, { allow: [404] });
  if (img?.Id === undefined) throw new Error(`dockerd has no ${IMAGE}: run examples/base-image.sh`);
  const r = spawnSync(process.execPath, [ctx.berthBin, '--engine', 'embedded', 'image', 'inspect', IMAGE], { env: ctx.env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the embedded engine at ${ctx.o.root} has no ${IMAGE} (${r.stderr.trim()}): run BERTH_ROOT=${ctx.o.root} examples/base-image.sh --engine embedded`);
}

function renderText(r) {
  const range = (xs) => `${Math.min(...xs)}–${Math.max(...xs)}`;
  const rows = r.scenarios.map((s) => [s.label, s.embeddedMBps, s.dockerdMBps, `${s.ratio}×`, range(s.runs.embedded), range(s.runs.dockerd)]);
  const m = r.machine;
  return [
    `berth network benchmark, ${r.date}: ${r.options.mib} MiB per transfer (1 KiB rows: ${r.options.ncMib ?? r.options.mib} MiB), median of ${r.options.runs} rounds (+${r.options.warmup} warm-up), MB = 10^6 bytes`,
    '',
    markdownTable(['scenario', 'embedded MB/s', 'dockerd MB/s', 'embedded / dockerd', 'embedded min–max', 'dockerd min–max'], rows, 1),
    '',
    `published port: embedded ${r.embedded.publishedPortPath}; dockerd ${r.dockerd.version} ${r.dockerd.publishedPortPath}`,
    `timing: host → container: ${r.timing.host}; container → container: ${r.timing.container}`,
    `machine: ${m.cpu} x${m.cpus}, ${m.memGb} GB, ${m.os}, node ${m.node}; load average (1 min) ${r.loadAvg1m.start} at start, ${r.loadAvg1m.end} at end`,
    `berth ${r.build.commit ?? 'unknown'}${r.build.dirty === true ? ' + uncommitted changes' : ''}; embedded root ${r.options.root}`,
    '',
  ].join('\n');
}

const mbps = (mib, seconds) => round((mib * MIB) / 1e6 / seconds);

async function main() {
  const o = parseArgs(process.argv.slice(2));
  o.ncMib ??= o.mib; // the 1 KiB rows are ~40x slower: --nc-mib sizes them apart
  if (o.render !== undefined) {
    process.stdout.write(renderText(JSON.parse(readFileSync(o.render, 'utf8'))));
    return;
  }
  const ep = dockerEndpoint();
  const ver = await dockerApi(ep, 'GET', '/version').catch((e) => {
    throw new Error(`no Docker Engine at ${process.env.DOCKER_HOST ?? '/var/run/docker.sock'} (${e.message}); examples/docker-engine.sh start`);
  });
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', BERTH_ROOT: o.root, ...(process.env.DOCKER_HOST === undefined ? {} : { DOCKER_HOST: process.env.DOCKER_HOST }) };
  const dir = mkdtempSync(join(tmpdir(), 'berth-network-bench-'));
  const ctx = { o, env, dir, berthBin: o.berth, prefix: `netbench${Date.now().toString(36)}` };
  const temp = [dir];
  const engines = [];
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    // Every project down even when another one fails; dockerd leftovers are then removed by label.
    for (const e of engines.filter((x) => x.started)) {
      await e.down().catch((err) => log(`cleanup: ${e.name} down failed: ${err.message}`));
    }
    await removeLabelled(ep, (p) => p === `${ctx.prefix}-dck`).catch((err) => log(`cleanup: ${err.message}`));
    if (o.keep) log(`kept ${temp.join(' ')}`);
    else for (const d of temp) rmSync(d, { recursive: true, force: true });
  };
  const onSignal = () => {
    log('interrupted: removing the benchmark projects');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (o.snapshot) {
      const snap = snapshotBuild(o.berth);
      temp.push(snap.dir);
      ctx.berthBin = snap.berth;
    }
    writeFileSync(join(dir, 'compose.yaml'), projectYaml());
    await checkTools(ctx, ep);
    const loadStart = round(loadavg()[0]);
    engines.push(makeEngine('embedded', ctx), makeEngine('docker', ctx));
    for (const e of engines) {
      log(`${e.name}: up -d (project ${e.project})`);
      await e.up();
    }
    for (let w = 0; w < o.warmup; w++) {
      log(`warm-up ${w + 1}/${o.warmup}`);
      for (const e of engines) for (const s of SCENARIOS) await e.measure(s.key, Math.min(s.nc ? o.ncMib : o.mib, 32));
    }
    for (let r = 0; r < o.runs; r++) {
      // The engine order alternates per round, so load drift touches both alike.
      for (const e of r % 2 === 0 ? engines : [...engines].reverse()) {
        for (const s of SCENARIOS) {
          const mib = s.nc ? o.ncMib : o.mib;
          const sec = await e.measure(s.key, mib);
          e.runs[s.key].push(mbps(mib, sec));
          log(`round ${r + 1}/${o.runs} ${e.name} ${s.key}: ${mbps(mib, sec)} MB/s (${round(sec * 1000)} ms)`);
        }
      }
    }
    const [emb, dck] = engines;
    const result = {
      date: new Date().toISOString(), machine: machineInfo(), loadAvg1m: { start: loadStart, end: round(loadavg()[0]) },
      build: buildInfo(root), options: { mib: o.mib, ncMib: o.ncMib, runs: o.runs, warmup: o.warmup, root: o.root, snapshot: o.snapshot },
      dockerd: { version: ver.Version, apiVersion: ver.ApiVersion, publishedPortPath: dockerPortPath(dck.port) },
      embedded: { publishedPortPath: 'iptables DNAT (route_localnet on the bridge)' },
      timing: {
        host: 'this process\'s hrtime from connect to the sink\'s answer (1 MiB); the host\'s BusyBox ash $EPOCHREALTIME around `dd | nc` (1 KiB)',
        container: 'BusyBox ash $EPOCHREALTIME inside `source`, from before nc starts to the sink\'s answer (berth exec start-up not included)',
      },
      scenarios: SCENARIOS.map((s) => {
        const e = round(median(emb.runs[s.key]));
        const d = round(median(dck.runs[s.key]));
        return { key: s.key, label: s.label, embeddedMBps: e, dockerdMBps: d, ratio: Math.round((e / d) * 100) / 100, runs: { embedded: emb.runs[s.key], dockerd: dck.runs[s.key] } };
      }),
    };
    process.stdout.write(o.json ? `${JSON.stringify(result, null, 2)}\n` : renderText(result));
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  process.stderr.write(`error: ${err instanceof RunError ? 'a benchmark run failed: ' : ''}${err.message}\n`);
  process.exitCode = 1;
});
