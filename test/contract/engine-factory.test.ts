import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectEngine } from '../../src/cli/engine-factory.js';
import type { GlobalOptions } from '../../src/cli/global-options.js';
import type { CliIo } from '../../src/cli/io.js';
import { recordingIo } from '../../src/cli/render/test-io.js';
import { isEngineError } from '../../src/engine/engine-error.js';
import { UsageError } from '../../src/errors/diagnostic.js';
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
  it('refuses the embedded engine with what to do instead', async () => {
    await assert.rejects(connectEngine(globals('embedded'), io({})), (err) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.message, 'the embedded engine is not available in this version of berth yet; use --engine docker with a running Docker Engine');
      return true;
    });
  });

  it('reports a Docker Engine that does not answer when docker was asked for', async () => {
    await assert.rejects(connectEngine(globals('docker'), io({ DOCKER_HOST: NOWHERE })), (err) => {
      assert.ok(isEngineError(err, 'unavailable'));
      assert.equal(err.message, `cannot connect to the Docker Engine at ${NOWHERE}: connect ENOENT /nonexistent/berth-test-docker.sock`);
      return true;
    });
  });

  it('says no engine is available when none was named and docker does not answer', async () => {
    await assert.rejects(connectEngine(globals(), io({ DOCKER_HOST: NOWHERE })), (err) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.message, /^the embedded engine is not available in this version of berth yet and no Docker Engine answered at unix:\/\/\/nonexistent\/berth-test-docker\.sock \(connect ENOENT/);
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
