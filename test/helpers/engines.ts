import { describe } from 'node:test';
import type { Engine } from '../../src/engine/engine.js';
import { skipWithoutDocker, testEngine } from './docker.js';
import { testEmbeddedEngine } from './embedded.js';

/** The engines berth drives: the Docker Engine API, or its own daemonless engine. */
export type EngineKind = 'docker' | 'embedded';

export const ENGINE_KINDS: readonly EngineKind[] = ['docker', 'embedded'];

/**
 * Why the tests of `kind` are skipped, or false. Only an explicit opt-out skips them: a missing
 * daemon or host tool must fail the run, not hide it.
 */
export function skipEngine(kind: EngineKind): string | false {
  switch (kind) {
    case 'docker':
      return skipWithoutDocker;
    case 'embedded':
      return process.env.BERTH_TEST_NO_EMBEDDED === '1' ? 'BERTH_TEST_NO_EMBEDDED=1' : false;
  }
}

/** A connected Engine of `kind` (the test's dockerd, or the embedded engine on TEST_ROOT). */
export function connectTestEngine(kind: EngineKind): Promise<Engine> {
  switch (kind) {
    case 'docker':
      return testEngine();
    case 'embedded':
      return testEmbeddedEngine();
  }
}

export interface ForEachEngineOptions {
  /** Extra skip reason on top of the engine's own (e.g. a missing host tool). */
  skip?: string | false;
  /** Run each engine's tests concurrently with each other (default: one after another). */
  concurrency?: boolean;
}

/**
 * `describe(title [kind], …)` once per engine, so both run the same tests with the same
 * assertions. The engines' suites run side by side: they share no containers, networks or
 * state, and the e2e tests spend most of their time waiting on child processes.
 */
export function forEachEngine(title: string, body: (kind: EngineKind) => void, opts: ForEachEngineOptions = {}): void {
  describe(title, { concurrency: true }, () => {
    for (const kind of ENGINE_KINDS) {
      const skip = opts.skip !== undefined && opts.skip !== false ? opts.skip : skipEngine(kind);
      // Explicit: subtests would otherwise inherit the outer `concurrency: true`.
      describe(`[${kind}]`, { skip, concurrency: opts.concurrency ?? false }, () => body(kind));
    }
  });
}
