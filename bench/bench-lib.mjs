// Process measurement helpers for the benchmarks: cold runs, peak RSS, statistics.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A failing run is an error, never a number. */
export class RunError extends Error {}

const STDERR_LIMIT = 64 * 1024;

/**
 * Spawns one cold process with stdout on /dev/null (or captured) and resolves with its wall
 * time in ms, measured from just before spawn to the process's exit.
 */
export function runOnce(cmd, args, { cwd, env, captureStdout = false }) {
  return new Promise((resolvePromise, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', captureStdout ? 'pipe' : 'ignore', 'pipe'] });
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
        reject(new RunError(`${cmd} ${args.join(' ')} failed (${how}) in ${cwd}:\n${stderr.trim()}`));
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

export function summarize(wallMs, rssKb) {
  return {
    runs: wallMs.length,
    wallMs: {
      median: round(median(wallMs)),
      p90: round(percentile(wallMs, 90)),
      min: round(Math.min(...wallMs)),
      max: round(Math.max(...wallMs)),
      all: wallMs.map(round),
    },
    peakRssMb: { max: round(Math.max(...rssKb) / 1024), all: rssKb.map((k) => round(k / 1024)) },
  };
}

export const round = (x) => Math.round(x * 10) / 10;
