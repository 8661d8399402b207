import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HealthcheckSpec } from '../../engine.js';
import { applyProbe, goDuration, healthSettings, nextProbeDelay, probeCommand, truncateOutput } from './health.js';
import type { HealthRecord, ProbeResult } from './health.js';

const STARTED = Date.parse('2026-01-01T00:00:00.000Z');
const at = (ms: number): string => new Date(STARTED + ms).toISOString();

function result(offsetMs: number, exitCode: number, output = '', timedOut = false): ProbeResult {
  return { exitCode, output, start: at(offsetMs), end: at(offsetMs + 10), timedOut };
}

function run(spec: HealthcheckSpec, results: ProbeResult[]): HealthRecord[] {
  const out: HealthRecord[] = [];
  let state: HealthRecord | undefined;
  for (const r of results) {
    state = applyProbe(state, r, spec, STARTED);
    out.push(state);
  }
  return out;
}

describe('probeCommand', () => {
  it('runs CMD as given, CMD-SHELL through /bin/sh -c, and nothing for NONE', () => {
    assert.deepEqual(probeCommand({ test: ['CMD', 'curl', '-f', 'http://x'] }), ['curl', '-f', 'http://x']);
    assert.deepEqual(probeCommand({ test: ['CMD-SHELL', 'test -f /ok || exit 1'] }), ['/bin/sh', '-c', 'test -f /ok || exit 1']);
    assert.deepEqual(probeCommand({ test: ['CMD-SHELL', 'echo', 'a b'] }), ['/bin/sh', '-c', 'echo a b']);
    assert.deepEqual(probeCommand({ test: ['CMD-SHELL', 'true'] }, ['/bin/bash', '-ec']), ['/bin/bash', '-ec', 'true']);
    assert.equal(probeCommand({ test: ['NONE'] }), undefined);
    assert.equal(probeCommand({ test: [] }), undefined);
    assert.equal(probeCommand({ test: ['CMD'] }), undefined);
    assert.equal(probeCommand({ test: ['BOGUS', 'x'] }), undefined);
  });
});

describe('healthSettings', () => {
  it("uses Docker's defaults for missing and zero values", () => {
    assert.deepEqual(healthSettings({ test: ['NONE'] }), { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0, startIntervalMs: 5_000 });
    assert.deepEqual(healthSettings({ test: ['NONE'], intervalMs: 0, retries: 0, timeoutMs: 1500, startPeriodMs: 2000, startIntervalMs: 100 }), {
      intervalMs: 30_000, timeoutMs: 1500, retries: 3, startPeriodMs: 2000, startIntervalMs: 100,
    });
  });
});

describe('nextProbeDelay', () => {
  const spec: HealthcheckSpec = { test: ['CMD', 'true'], intervalMs: 10_000, startPeriodMs: 60_000, startIntervalMs: 1_000 };
  it('uses the start interval while starting within the start period, the interval otherwise', () => {
    assert.equal(nextProbeDelay(spec, undefined, STARTED, STARTED), 1_000);
    assert.equal(nextProbeDelay(spec, { status: 'starting', failingStreak: 0, log: [] }, STARTED + 59_999, STARTED), 1_000);
    assert.equal(nextProbeDelay(spec, { status: 'starting', failingStreak: 0, log: [] }, STARTED + 60_000, STARTED), 10_000);
    assert.equal(nextProbeDelay(spec, { status: 'healthy', failingStreak: 0, log: [] }, STARTED + 5_000, STARTED), 10_000);
    assert.equal(nextProbeDelay({ test: ['CMD', 'true'] }, undefined, STARTED, STARTED), 30_000);
  });
});

describe('applyProbe', () => {
  it('goes from starting to healthy on the first success and to unhealthy after `retries` failures', () => {
    const spec: HealthcheckSpec = { test: ['CMD', 'x'], retries: 2 };
    const states = run(spec, [result(1000, 1, 'a'), result(2000, 0, 'ok'), result(3000, 1, 'b'), result(4000, 2, 'c'), result(5000, 0, 'ok')]);
    assert.deepEqual(states.map((s) => [s.status, s.failingStreak]), [['starting', 1], ['healthy', 0], ['healthy', 1], ['unhealthy', 2], ['healthy', 0]]);
    assert.deepEqual(states[0]!.log, [{ start: at(1000), end: at(1010), exitCode: 1, output: 'a' }]);
  });

  it('becomes unhealthy from starting after three failures by default', () => {
    const states = run({ test: ['CMD', 'x'] }, [result(1, 1), result(2, 1), result(3, 1)]);
    assert.deepEqual(states.map((s) => [s.status, s.failingStreak]), [['starting', 1], ['starting', 2], ['unhealthy', 3]]);
  });

  it('does not count failures that start within the start period while starting', () => {
    const spec: HealthcheckSpec = { test: ['CMD', 'x'], retries: 1, startPeriodMs: 5_000 };
    const states = run(spec, [result(0, 1), result(4_999, 1), result(5_000, 1)]);
    assert.deepEqual(states.map((s) => [s.status, s.failingStreak, s.log.length]), [['starting', 0, 1], ['starting', 0, 2], ['unhealthy', 1, 3]]);
    // Once healthy, the start period no longer shields failures.
    const healthyFirst = run(spec, [result(100, 0), result(200, 1)]);
    assert.deepEqual(healthyFirst.map((s) => [s.status, s.failingStreak]), [['healthy', 0], ['unhealthy', 1]]);
  });

  it('records a timeout as a failure with exit code -1 and Docker\'s message', () => {
    const spec: HealthcheckSpec = { test: ['CMD', 'x'], timeoutMs: 1_500 };
    const [first, second] = run(spec, [result(0, 0, '', true), result(10, 137, 'partial', true)]);
    assert.deepEqual(first, { status: 'starting', failingStreak: 1, log: [{ start: at(0), end: at(10), exitCode: -1, output: 'Health check exceeded timeout (1.5s)' }] });
    assert.equal(second!.log[1]!.output, 'Health check exceeded timeout (1.5s): partial');
    assert.equal(second!.log[1]!.exitCode, -1);
    assert.equal(applyProbe(undefined, result(0, 0, '', true), { test: ['CMD', 'x'] }, STARTED).log[0]!.output, 'Health check exceeded timeout (30s)');
  });

  it('keeps the last five log entries', () => {
    const states = run({ test: ['CMD', 'x'] }, [0, 1, 2, 3, 4, 5, 6].map((i) => result(i * 1000, 0, `run ${i}`)));
    assert.deepEqual(states[6]!.log.map((e) => e.output), ['run 2', 'run 3', 'run 4', 'run 5', 'run 6']);
  });

  it('truncates output at 4096 bytes with "..." appended', () => {
    const long = 'x'.repeat(5000);
    const [s] = run({ test: ['CMD', 'x'] }, [result(0, 0, long)]);
    assert.equal(s!.log[0]!.output, `${'x'.repeat(4096)}...`);
    assert.equal(truncateOutput('x'.repeat(4096)), 'x'.repeat(4096));
    // A 3-byte character straddling the limit is dropped whole.
    assert.equal(truncateOutput(`${'a'.repeat(4095)}€b`), `${'a'.repeat(4095)}...`);
  });
});

describe('goDuration', () => {
  it("formats like Go's Duration.String", () => {
    assert.deepEqual([0, 1, 500, 1000, 1500, 1250, 30_000, 90_000, 120_000, 3_600_000, 3_723_400].map(goDuration), [
      '0s', '1ms', '500ms', '1s', '1.5s', '1.25s', '30s', '1m30s', '2m0s', '1h0m0s', '1h2m3.4s',
    ]);
  });
});
