/**
 * Docker's restart policies as a pure decision: whether a container that stopped is started
 * again, and after what back-off (dockerd's restart manager).
 */
import type { RestartPolicy } from '../../engine.js';

export interface ExitFacts {
  exitCode: number;
  /** Restarts the policy already made since the container was last started by a user. */
  restartCount: number;
  /** `stop`/`kill`/`down` by a user (not a crash, not a reboot). */
  stoppedByUser: boolean;
  /** Epoch milliseconds. */
  lastStartedAt: number;
  exitedAt: number;
  /**
   * The engine itself went away (host reboot) while the container ran: a daemon starting up
   * restarts `always` containers and `unless-stopped` ones the user did not stop, at once.
   */
  engineRestart?: boolean;
}

export type RestartDecision = { restart: false } | { restart: true; delayMs: number };

export const BACKOFF_INITIAL_MS = 100;
export const BACKOFF_MAX_MS = 60_000;
/** A run at least this long resets the back-off (the container was up, not crash-looping). */
export const BACKOFF_RESET_RUN_MS = 10_000;

/**
 * The delay before restart number `restartCount + 1`: 100 ms, doubling per consecutive
 * restart, at most a minute; back to 100 ms when the container ran for 10 s or more.
 */
export function restartDelay(restartCount: number, ranMs: number): number {
  if (ranMs >= BACKOFF_RESET_RUN_MS) return BACKOFF_INITIAL_MS;
  // 2^10 × 100 ms already exceeds the cap; clamping the exponent keeps the number finite.
  return Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** Math.min(Math.max(0, restartCount), 10));
}

function wantsRestart(policy: RestartPolicy, s: ExitFacts): boolean {
  switch (policy.name) {
    case 'no':
      return false;
    case 'always':
      // Docker restarts `always` containers when the daemon starts even after `docker stop`;
      // that is the one difference to `unless-stopped`.
      return s.engineRestart === true || !s.stoppedByUser;
    case 'unless-stopped':
      return !s.stoppedByUser;
    case 'on-failure': {
      if (s.stoppedByUser || s.exitCode === 0) return false;
      const max = policy.maximumRetryCount ?? 0;
      // 0 (or unset) means no limit, as in Docker.
      return max <= 0 || s.restartCount < max;
    }
  }
}

export function decideRestart(policy: RestartPolicy, s: ExitFacts): RestartDecision {
  if (!wantsRestart(policy, s)) return { restart: false };
  if (s.engineRestart === true) return { restart: true, delayMs: 0 };
  return { restart: true, delayMs: restartDelay(s.restartCount, s.exitedAt - s.lastStartedAt) };
}
