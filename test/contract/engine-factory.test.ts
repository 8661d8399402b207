import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { embeddedPaths } from '../../src/engine/embedded/paths.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connectEngine } from '../../src/cli/engine-factory.js';
import type { GlobalOptions } from '../../src/cli/global-options.js';
import type { CliIo } from '../../src/cli/io.js';
import { recordingIo } from '../../src/cli/render/test-io.js';
import { isEngineError } from '../../src/engine/engine-error.js';
import { skipWithoutDocker } from '../helpers/docker.js';

function io(env: Record<string, string | undefined>): CliIo {
  return { ...recordingIo(), env };
}

function globals(engine?: 'docker' | 'embedded'): GlobalOptions {
  return {
    ansi: 'never', progress: 'quiet', parallel: -1, dryRun: false, compatibility: false, allResources: false,
    ...(engine === undefined ? {} : { engine }),
  };
}

const NOWHERE = 'unix:///nonexistent/berth-test-docker.sock';

describe('connectEngine', () => {
  it('opens the embedded engine on BERTH_ROOT when asked for', async () => {
    const root = await mkdtemp(join(tmpdir(), 'berth-factory-'));
    try {
      const engine = await connectEngine(globals('embedded'), io({ BERTH_ROOT: root, PATH: process.env.PATH }));
      const info = await engine.info();
      assert.equal(info.name, 'embedded');
      assert.equal(info.capabilities.exec, true);
      assert.deepEqual(await engine.listContainers({ all: true, labels: {} }), []);
      await engine.close();
    } finally {
      await rm(embeddedPaths(root).run, { recursive: true, force: true });
      await rm(root, { recursive: true, force: true });
    }
  });

  it('reports a Docker Engine that does not answer when docker was asked for', async () => {
    await assert.rejects(connectEngine(globals('docker'), io({ DOCKER_HOST: NOWHERE })), (err) => {
      assert.ok(isEngineError(err, 'unavailable'));
      assert.equal(err.message, `cannot connect to the Docker Engine at ${NOWHERE}: connect ENOENT /nonexistent/berth-test-docker.sock`);
      return true;
    });
  });

  it('keeps to a DOCKER_HOST that was set but does not answer', async () => {
    await assert.rejects(connectEngine(globals(), io({ DOCKER_HOST: NOWHERE })), (err) => {
      assert.ok(isEngineError(err, 'unavailable'));
      assert.match(err.message, /^cannot connect to the Docker Engine at unix:\/\/\/nonexistent\/berth-test-docker\.sock: connect ENOENT/);
      return true;
    });
  });

  it('rejects a malformed DOCKER_HOST', async () => {
    await assert.rejects(connectEngine(globals('docker'), io({ DOCKER_HOST: 'ftp://x' })), /^UsageError: invalid DOCKER_HOST: unsupported Docker host "ftp:\/\/x"/);
  });

  it('picks the Docker Engine when it answers', { skip: skipWithoutDocker }, async () => {
    const env = { ...process.env };
    for (const engine of [globals(), globals('docker')]) {
      const connected = await connectEngine(engine, io(env));
      assert.equal((await connected.info()).name, 'docker');
      await connected.close();
    }
  });
});
