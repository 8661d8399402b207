// Helpers for the benchmarks: cold runs, peak RSS, statistics, build snapshots, reporting, and a
// minimal Docker Engine API client for the lifecycle benchmark.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A failing run is an error, never a number. */
export class RunError extends Error {
  /** Wall time of the failed run, when it ran to its exit. */
  wallMs;
}

const STDERR_LIMIT = 64 * 1024;

/**
 * Spawns one cold process with stdout on /dev/null (or captured) and resolves with its wall
 * time in ms, measured from just before spawn to the process's exit.
 */
export function runOnce(cmd, args, { cwd, env, captureStdout = false, timeoutMs }) {
  return new Promise((resolvePromise, reject) => {
    const start = process.hrtime.bigint();
    // A hung run is a failed run: the timeout kills it (SIGKILL) and it is reported like any failure.
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', captureStdout ? 'pipe' : 'ignore', 'pipe'], ...(timeoutMs === undefined ? {} : { timeout: timeoutMs, killSignal: 'SIGKILL' }) });
    let stderr = '';
    const out = [];
    let wallMs = 0;
    let code = null;
    let signal = null;
    child.stderr.on('data', (d) => {
      if (stderr.length < STDERR_LIMIT) stderr += d.toString('utf8');
    });
    if (captureStdout) child.stdout.on('data', (d) => out.push(d));
    child.on('error', reject);
    child.on('exit', (c, s) => {
      wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      code = c;
      signal = s;
    });
    // 'close' comes after 'exit' once stdio is drained, so stderr is complete here.
    child.on('close', () => {
      if (code !== 0) {
        const how = signal !== null ? `signal ${signal}` : `exit code ${code}`;
        const err = new RunError(`${cmd} ${args.join(' ')} failed (${how}) in ${cwd}:\n${stderr.trim()}`);
        err.wallMs = wallMs;
        reject(err);
        return;
      }
      resolvePromise({ wallMs, stderr, stdout: captureStdout ? Buffer.concat(out).toString('utf8') : '' });
    });
  });
}

/** Peak RSS (kB) of a Node CLI run in-process by rss-probe.mjs. */
export async function probeNodeRss(probePath, entry, args, opts) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-rss-'));
  const file = join(dir, 'rss');
  try {
    await runOnce(process.execPath, [probePath, entry, ...args], { ...opts, env: { ...opts.env, BERTH_BENCH_RSS_FILE: file } });
    return { kb: Number(readFileSync(file, 'utf8').trim()), method: 'getrusage (process.resourceUsage().maxRSS)' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function hasGnuTime() {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' });
  return r.status === 0 && /^\d+\s*$/.test(r.stderr);
}

/** Peak RSS (kB) of any command: GNU time when available, else /proc VmHWM polling (approximate). */
export async function probeCommandRss(cmd, args, opts, gnuTime) {
  if (gnuTime) {
    const dir = mkdtempSync(join(tmpdir(), 'berth-bench-rss-'));
    const file = join(dir, 'rss');
    try {
      await runOnce('/usr/bin/time', ['-o', file, '-f', '%M', cmd, ...args], opts);
      return { kb: Number(readFileSync(file, 'utf8').trim().split('\n').pop()), method: 'GNU time %M (getrusage)' };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return pollVmHwm(cmd, args, opts);
}

function pollVmHwm(cmd, args, { cwd, env }) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let peak = 0;
    let stderr = '';
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch {
        // The process may already be gone between two samples.
      }
    };
    const timer = setInterval(sample, 5);
    child.stderr.on('data', (d) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code !== 0) reject(new RunError(`${cmd} ${args.join(' ')} failed (exit code ${code}):\n${stderr.trim()}`));
      else resolvePromise({ kb: peak, method: 'VmHWM polled every 5 ms (approximate, a lower bound)' });
    });
  });
}

/** Nearest-rank percentile of a non-empty list. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median, p90 (nearest rank), min, max and every value of a non-empty list of wall times. */
export function wallStats(wallMs) {
  return {
    median: round(median(wallMs)),
    p90: round(percentile(wallMs, 90)),
    min: round(Math.min(...wallMs)),
    max: round(Math.max(...wallMs)),
    all: wallMs.map(round),
  };
}

export function summarize(wallMs, rssKb) {
  return {
    runs: wallMs.length,
    wallMs: wallStats(wallMs),
    peakRssMb: { max: round(Math.max(...rssKb) / 1024), all: rssKb.map((k) => round(k / 1024)) },
  };
}

export const round = (x) => Math.round(x * 10) / 10;

// ---- Shared by the benchmarks that run bin/berth.

/**
 * Other people rebuild dist/ while a long benchmark runs; every berth run must use one build,
 * so a benchmark runs a private copy of bin/, dist/ and schema/ (node_modules is linked).
 */
export function snapshotBuild(berthPath) {
  const from = dirname(dirname(berthPath));
  if (!existsSync(join(from, 'dist'))) throw new Error(`${from}/dist does not exist: run "npm run build" first`);
  const to = mkdtempSync(join(tmpdir(), 'berth-bench-build-'));
  // Timestamps kept: bin/berth runs dist/berth.cjs only when it is not older than dist/src.
  for (const d of ['bin', 'dist', 'schema', 'package.json']) if (existsSync(join(from, d))) cpSync(join(from, d), join(to, d), { recursive: true, preserveTimestamps: true });
  symlinkSync(join(from, 'node_modules'), join(to, 'node_modules'), 'dir');
  return { dir: to, berth: join(to, 'bin', 'berth') };
}

/** The git commit of the tree at root and whether tracked files have uncommitted changes. */
export function buildInfo(root) {
  const git = (args) => spawnSync('git', ['-C', root, ...args], { encoding: 'utf8' });
  const head = git(['rev-parse', '--short', 'HEAD']);
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return head.status === 0 ? { commit: head.stdout.trim(), dirty: status.stdout.trim() !== '' } : { commit: null, dirty: null };
}

/** A Markdown table (numbers right-aligned), so a report pastes into bench/README.md as is. */
export function markdownTable(header, rows, numericFrom = 2) {
  const align = header.map((_, k) => (k < numericFrom ? '---' : '--:'));
  const line = (cells) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(align), ...rows.map(line)].join('\n');
}

// ---- A minimal Docker Engine API client (no docker CLI, no dockerode): the benchmark checks and
// cleans up independently of the tools it measures.

/** Where DOCKER_HOST points: a unix socket or a plain-HTTP tcp address. */
export function dockerEndpoint(host = process.env.DOCKER_HOST) {
  if (host === undefined || host === '') return { socketPath: '/var/run/docker.sock' };
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) || '/var/run/docker.sock' };
  if (host.startsWith('/')) return { socketPath: host };
  const url = new URL(host.includes('://') ? host.replace(/^tcp:/, 'http:') : `http://${host}`);
  if (url.protocol !== 'http:') throw new Error(`the benchmark supports unix:// and plain tcp:// Docker hosts, not ${host}`);
  return { host: url.hostname, port: Number(url.port || 2375) };
}

/** One Engine API request (JSON body optional); resolves with the parsed JSON reply (or null), rejects on status >= 400. */
export function dockerApi(endpoint, method, path, { allow = [], body } = {}) {
  return new Promise((resolvePromise, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = { Host: 'docker', ...(payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': payload.length }) };
    const req = httpRequest({ ...endpoint, method, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status >= 400 && !allow.includes(status)) reject(new Error(`Docker API ${method} ${path}: ${status} ${text.trim()}`));
        else resolvePromise(text === '' ? null : JSON.parse(text));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const PROJECT_LABEL = 'com.docker.compose.project';
const filterQuery = (filters) => `filters=${encodeURIComponent(JSON.stringify(filters))}`;

/** Containers of a compose project (every state). */
export async function projectContainers(endpoint, project) {
  const list = await dockerApi(endpoint, 'GET', `/containers/json?all=1&${filterQuery({ label: [`${PROJECT_LABEL}=${project}`] })}`);
  return list.map((c) => ({ id: c.Id, state: c.State, service: c.Labels['com.docker.compose.service'] ?? '' }));
}

/** Containers, networks and volumes labelled with a compose project whose name passes keep(). */
export async function labelledResources(endpoint, keep) {
  const q = filterQuery({ label: [PROJECT_LABEL] });
  const [containers, networks, volumes] = await Promise.all([
    dockerApi(endpoint, 'GET', `/containers/json?all=1&${q}`),
    dockerApi(endpoint, 'GET', `/networks?${q}`),
    dockerApi(endpoint, 'GET', `/volumes?${q}`),
  ]);
  const mine = (labels) => keep(labels?.[PROJECT_LABEL] ?? '');
  return {
    containers: containers.filter((c) => mine(c.Labels)).map((c) => c.Id),
    networks: networks.filter((n) => mine(n.Labels)).map((n) => n.Id),
    volumes: (volumes.Volumes ?? []).filter((v) => mine(v.Labels)).map((v) => v.Name),
  };
}

/**
 * Force-removes everything labelled with a matching project; returns how much it removed.
 * Tries every resource even when some fail (a network can hold a stale endpoint), then throws
 * the first failure.
 */
export async function removeLabelled(endpoint, keep) {
  const r = await labelledResources(endpoint, keep);
  const settle = async (items, del) => (await Promise.allSettled(items.map(del))).filter((x) => x.status === 'rejected').map((x) => x.reason);
  const failures = [
    ...(await settle(r.containers, (id) => dockerApi(endpoint, 'DELETE', `/containers/${id}?force=1&v=1`, { allow: [404] }))),
    ...(await settle(r.networks, (id) => dockerApi(endpoint, 'DELETE', `/networks/${id}`, { allow: [404] }))),
    ...(await settle(r.volumes, (name) => dockerApi(endpoint, 'DELETE', `/volumes/${encodeURIComponent(name)}?force=1`, { allow: [404] }))),
  ];
  if (failures.length > 0) throw failures[0];
  return { containers: r.containers.length, networks: r.networks.length, volumes: r.volumes.length };
}

/**
 * A pass-through proxy in front of a Docker unix socket that counts the Engine API requests
 * going through it (request lines on every connection, keep-alive included), so two clients'
 * round trips can be compared. Adds latency: never use it for timed runs.
 */
export async function countingDockerProxy(endpoint) {
  if (endpoint.socketPath === undefined) throw new Error('request counting needs a unix-socket DOCKER_HOST');
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-proxy-'));
  const path = join(dir, 'docker.sock');
  let requests = [];
  const server = createServer((client) => {
    const upstream = connect(endpoint.socketPath);
    let pending = '';
    client.on('data', (d) => {
      // Request lines only: bodies here are JSON (CR/LF escaped), so they never hold
      // "VERB /path HTTP/1.x<CR><LF>". Text after the last match is kept for a line split across chunks.
      const text = pending + d.toString('latin1');
      let consumed = 0;
      for (const m of text.matchAll(/(GET|POST|PUT|DELETE|HEAD) (\/\S*) HTTP\/1\.[01]\r\n/g)) {
        requests.push(`${m[1]} ${m[2]}`);
        consumed = m.index + m[0].length;
      }
      pending = text.slice(consumed).slice(-8192);
    });
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise((res, rej) => server.listen(path, res).on('error', rej));
  return {
    host: `unix://${path}`,
    /** The requests seen since the last take(), then forgets them. */
    take() {
      const r = requests;
      requests = [];
      return r;
    },
    close: () => new Promise((res) => server.close(() => {
      rmSync(dir, { recursive: true, force: true });
      res();
    })),
  };
}

/** Groups request lines by verb and path shape (ids, names and query values replaced). */
export function requestShapes(lines) {
  const counts = new Map();
  for (const l of lines) {
    const shape = l
      .replace(/^(\S+) \/v[\d.]+\//, '$1 /')
      .replace(/\?.*$/, '')
      .replace(/^(\S+ \/(?:containers|networks|volumes|images|exec))\/(?!(?:json|create|prune)(?:\/|$))[^/]+/, '$1/{id}');
    counts.set(shape, (counts.get(shape) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([shape, count]) => ({ shape, count }));
}
