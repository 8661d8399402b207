import { describe } from 'node:test';
import { testEmbeddedEngine } from '../helpers/embedded.js';
import { engineContract } from './engine-contract.js';

describe('Engine contract (embedded engine)', { concurrency: true }, () => {
  engineContract('embedded', testEmbeddedEngine);
});
