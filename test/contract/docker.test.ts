import { describe } from 'node:test';
import { skipWithoutDocker, testEngine } from '../helpers/docker.js';
import { engineContract } from './engine-contract.js';

describe('Engine contract', { skip: skipWithoutDocker, concurrency: true }, () => {
  engineContract('docker', testEngine);
});
