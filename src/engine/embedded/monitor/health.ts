/**
 * Docker's healthcheck semantics as a pure state machine: which command a probe runs, when the
 * next probe is due, and how a probe result moves the health record. The monitor runs the
 * probes; everything it decides comes from here.
 */
import type { HealthState, HealthcheckSpec } from '../../engine.js';

/** Same shape as state/container-record.ts's HealthRecord (kept here so this file stays pure). */
export interface HealthRecord {
  status: HealthState;
  failingStreak: number;
  log: Array<{ start: string; end: string; exitCode: number; output: string }>;
}

export interface ProbeResult {
  exitCode: number;
  output: string;
  /** ISO-8601. */
  start: string;
  end: string;
  timedOut: boolean;
}

/** Docker's defaults (a zero or missing value means the default, as in Docker). */
export const HEALTH_DEFAULTS = {
  intervalMs: 30_000,
  timeoutMs: 30_000,
  retries: 3,
  startPeriodMs: 0,
  startIntervalMs: 5_000,
} as const;

/** Entries kept in the health log, and bytes of output kept per probe (as dockerd). */
export const MAX_LOG_ENTRIES = 5;
export const MAX_OUTPUT_BYTES = 4096;

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && value > 0 ? value : fallback;
}

export function healthSettings(spec: HealthcheckSpec): { intervalMs: number; timeoutMs: number; retries: number; startPeriodMs: number; startIntervalMs: number } {
  return {
    intervalMs: positive(spec.intervalMs, HEALTH_DEFAULTS.intervalMs),
    timeoutMs: positive(spec.timeoutMs, HEALTH_DEFAULTS.timeoutMs),
    retries: positive(spec.retries, HEALTH_DEFAULTS.retries),
    startPeriodMs: positive(spec.startPeriodMs, HEALTH_DEFAULTS.startPeriodMs),
    startIntervalMs: positive(spec.startIntervalMs, HEALTH_DEFAULTS.startIntervalMs),
  };
}

/**
 * The process a probe runs in the container, or undefined when the healthcheck is disabled
 * (`NONE`, an empty test, an unknown kind, or `CMD` without a command). `CMD-SHELL` words are
 * joined into one shell command line; `shell` is the image's SHELL when it set one.
 */
export function probeCommand(spec: HealthcheckSpec, shell: readonly string[] = ['/bin/sh', '-c']): string[] | undefined {
  const [kind, ...rest] = spec.test;
  if (rest.length === 0) return undefined;
  if (kind === 'CMD') return rest;
  if (kind === 'CMD-SHELL') return [...shell, rest.join(' ')];
  return undefined;
}

/**
 * Milliseconds until the next probe: the start interval while the container is in its start
 * period and not yet healthy, the interval otherwise (Docker's getInterval).
 */
export function nextProbeDelay(spec: HealthcheckSpec, state: HealthRecord | undefined, now: number, startedAt: number): number {
  const s = healthSettings(spec);
  if (now - startedAt >= s.startPeriodMs) return s.intervalMs;
  return (state?.status ?? 'starting') === 'starting' ? s.startIntervalMs : s.intervalMs;
}

/** Go's time.Duration.String for whole milliseconds: `30s`, `1.5s`, `500ms`, `1m30s`, `2m0s`, `1h0m0s`. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const secMs = ms % 60_000;
  const seconds = `${Math.floor(secMs / 1000)}${secMs % 1000 === 0 ? '' : `.${String(secMs % 1000).padStart(3, '0').replace(/0+$/, '')}`}s`;
  if (h > 0) return `${h}h${m}m${seconds}`;
  if (m > 0) return `${m}m${seconds}`;
  return seconds;
}

/** The first MAX_OUTPUT_BYTES bytes (never splitting a character), `...` appended when cut. */
export function truncateOutput(output: string): string {
  const bytes = Buffer.from(output, 'utf8');
  if (bytes.length <= MAX_OUTPUT_BYTES) return output;
  let end = MAX_OUTPUT_BYTES;
  // Back off to the start of a UTF-8 sequence so the kept part decodes cleanly.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return `${bytes.subarray(0, end).toString('utf8')}...`;
}

/**
 * The health record after one probe. Success makes the container healthy and clears the
 * failing streak; a failure (any non-zero exit, a timeout) counts unless the container is
 * still starting within its start period, and `retries` consecutive counted failures make it
 * unhealthy.
 */
export function applyProbe(state: HealthRecord | undefined, result: ProbeResult, spec: HealthcheckSpec, startedAt: number): HealthRecord {
  const s = healthSettings(spec);
  const current: HealthRecord = state ?? { status: 'starting', failingStreak: 0, log: [] };
  const output = truncateOutput(result.output);
  const entry = result.timedOut
    ? { start: result.start, end: result.end, exitCode: -1, output: `Health check exceeded timeout (${goDuration(s.timeoutMs)})${output === '' ? '' : `: ${output}`}` }
    : { start: result.start, end: result.end, exitCode: result.exitCode, output };
  const log = [...current.log, entry].slice(-MAX_LOG_ENTRIES);
  if (entry.exitCode === 0) return { status: 'healthy', failingStreak: 0, log };
  const inStartPeriod = current.status === 'starting' && Date.parse(result.start) - startedAt < s.startPeriodMs;
  if (inStartPeriod) return { status: current.status, failingStreak: current.failingStreak, log };
  const failingStreak = current.failingStreak + 1;
  return { status: failingStreak >= s.retries ? 'unhealthy' : current.status, failingStreak, log };
}
