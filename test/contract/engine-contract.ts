import { imageContract } from './contract-images.js';
import { ioContract } from './contract-io.js';
import { lifecycleContract } from './contract-lifecycle.js';
import { storageContract } from './contract-storage.js';
import type { MakeEngine } from './fixture.js';

/** The behaviour every Engine must show, registered as node:test suites for one engine. */
export function engineContract(engineName: string, makeEngine: MakeEngine): void {
  lifecycleContract(engineName, makeEngine);
  ioContract(engineName, makeEngine);
  storageContract(engineName, makeEngine);
  imageContract(engineName, makeEngine);
}
