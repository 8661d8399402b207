import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRestart, restartDelay } from './restart-policy.js';
import type { ExitFacts } from './restart-policy.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function facts(over: Partial<ExitFacts> = {}): ExitFacts {
  return { exitCode: 1, restartCount: 0, stoppedByUser: false, lastStartedAt: T0, exitedAt: T0 + 500, ...over };
}

describe('decideRestart', () => {
  it('never restarts with "no"', () => {
    assert.deepEqual(decideRestart({ name: 'no' }, facts()), { restart: false });
    assert.deepEqual(decideRestart({ name: 'no' }, facts({ engineRestart: true })), { restart: false });
  });

  it('restarts "always" on any exit code unless the user stopped it', () => {
    assert.deepEqual(decideRestart({ name: 'always' }, facts({ exitCode: 0 })), { restart: true, delayMs: 100 });
    assert.deepEqual(decideRestart({ name: 'always' }, facts({ exitCode: 3 })), { restart: true, delayMs: 100 });
    assert.deepEqual(decideRestart({ name: 'always' }, facts({ stoppedByUser: true, exitCode: 143 })), { restart: false });
  });

  it('"unless-stopped" acts like "always", but a user stop also survives an engine restart', () => {
    assert.deepEqual(decideRestart({ name: 'unless-stopped' }, facts({ exitCode: 0 })), { restart: true, delayMs: 100 });
    assert.deepEqual(decideRestart({ name: 'unless-stopped' }, facts({ stoppedByUser: true })), { restart: false });
    assert.deepEqual(decideRestart({ name: 'unless-stopped' }, facts({ stoppedByUser: true, engineRestart: true })), { restart: false });
    assert.deepEqual(decideRestart({ name: 'unless-stopped' }, facts({ exitCode: 255, engineRestart: true })), { restart: true, delayMs: 0 });
  });

  it('restarts "always" containers on engine restart at once, even after a user stop (as dockerd does)', () => {
    assert.deepEqual(decideRestart({ name: 'always' }, facts({ exitCode: 255, engineRestart: true, restartCount: 7 })), { restart: true, delayMs: 0 });
    assert.deepEqual(decideRestart({ name: 'always' }, facts({ stoppedByUser: true, engineRestart: true })), { restart: true, delayMs: 0 });
  });

  it('restarts "on-failure" only for non-zero exits, up to the maximum retry count', () => {
    assert.deepEqual(decideRestart({ name: 'on-failure' }, facts({ exitCode: 0 })), { restart: false });
    assert.deepEqual(decideRestart({ name: 'on-failure' }, facts({ exitCode: 2, restartCount: 50 })), { restart: true, delayMs: 60_000 });
    assert.deepEqual(decideRestart({ name: 'on-failure', maximumRetryCount: 0 }, facts({ exitCode: 2, restartCount: 3 })), { restart: true, delayMs: 800 });
    assert.deepEqual(decideRestart({ name: 'on-failure', maximumRetryCount: 2 }, facts({ exitCode: 2, restartCount: 1 })), { restart: true, delayMs: 200 });
    assert.deepEqual(decideRestart({ name: 'on-failure', maximumRetryCount: 2 }, facts({ exitCode: 2, restartCount: 2 })), { restart: false });
    assert.deepEqual(decideRestart({ name: 'on-failure' }, facts({ exitCode: 137, stoppedByUser: true })), { restart: false });
    assert.deepEqual(decideRestart({ name: 'on-failure', maximumRetryCount: 1 }, facts({ exitCode: 255, engineRestart: true })), { restart: true, delayMs: 0 });
  });

  it('backs off 100 ms doubling per consecutive restart, capped at a minute, reset by a 10 s run', () => {
    const delays = [0, 1, 2, 3, 9, 10, 11, 40].map((n) => decideRestart({ name: 'always' }, facts({ restartCount: n })));
    assert.deepEqual(delays, [100, 200, 400, 800, 51_200, 60_000, 60_000, 60_000].map((d) => ({ restart: true, delayMs: d })));
    assert.deepEqual(decideRestart({ name: 'always' }, facts({ restartCount: 9, exitedAt: T0 + 9_999 })), { restart: true, delayMs: 51_200 });
    assert.deepEqual(decideRestart({ name: 'always' }, facts({ restartCount: 9, exitedAt: T0 + 10_000 })), { restart: true, delayMs: 100 });
  });

  it('restartDelay treats a negative count as the first restart', () => {
    assert.equal(restartDelay(-1, 0), 100);
    assert.equal(restartDelay(1_000_000, 0), 60_000);
  });
});
