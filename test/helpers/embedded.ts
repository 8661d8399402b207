import { openEmbeddedEngine } from '../../src/engine/embedded/embedded-engine.js';
import type { EmbeddedEngine } from '../../src/engine/embedded/embedded-engine.js';

/**
 * The engine root the embedded-engine tests share (images are kept between runs like a
 * daemon's; every test removes its own containers, networks and volumes).
 */
export const TEST_ROOT = process.env.BERTH_TEST_ROOT ?? '/var/lib/berth-test';

/** An embedded Engine on TEST_ROOT. */
export function testEmbeddedEngine(): Promise<EmbeddedEngine> {
  return openEmbeddedEngine({
    root: TEST_ROOT,
    ...(process.env.PATH !== undefined ? { pathEnv: process.env.PATH } : {}),
    ...(process.env.BERTH_RUNTIME === 'runc' || process.env.BERTH_RUNTIME === 'crun' ? { runtime: process.env.BERTH_RUNTIME } : {}),
  });
}
