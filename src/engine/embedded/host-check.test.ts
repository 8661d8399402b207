import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isEngineError } from '../engine-error.js';
import { checkHost } from './host-check.js';

describe('checkHost', () => {
  it('says that the embedded engine needs root', async () => {
    await assert.rejects(checkHost(process.env.PATH, 1000), (err) => {
      assert.ok(isEngineError(err, 'unavailable'));
      assert.equal(err.message, 'the embedded engine needs root (rootless operation is not supported yet); run berth as root, or use --engine docker');
      return true;
    });
  });

  it('names every missing Debian package at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-hostcheck-'));
    try {
      await writeFile(join(dir, 'ip'), '#!/bin/sh\n');
      await chmod(join(dir, 'ip'), 0o755);
      await assert.rejects(checkHost(dir, 0, false), (err) => {
        assert.ok(isEngineError(err, 'unavailable'));
        assert.equal(err.message, 'the embedded engine needs conmon (package conmon), mount (package mount), crun or runc (package crun): install them with apt-get install conmon mount crun');
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('finds the tools and an init on this host', async () => {
    const tools = await checkHost(process.env.PATH, 0);
    assert.match(tools.init ?? '', /\/(catatonit|tini)$/);
  });
});
