/** The embedded engine refuses to run for a user other than root, with a message that says so. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repo } from '../helpers/berth-cli.js';
import { TEST_ROOT } from '../helpers/embedded.js';

describe('embedded engine as a user other than root', () => {
  it('says that it needs root, for reads and for changes, without a stack trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-notroot-'));
    try {
      await chmod(dir, 0o755);
      await writeFile(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: berth-test-busybox:latest\n');
      for (const args of [['ps'], ['up', '-d']]) {
        const r = spawnSync(process.execPath, [join(repo, 'bin', 'berth'), '--engine', 'embedded', ...args], {
          cwd: dir, uid: 65534, gid: 65534, encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, BERTH_ROOT: TEST_ROOT, NO_COLOR: '1' },
        });
        assert.equal(r.status, 1, r.stderr);
        assert.equal(r.stderr, 'error: the embedded engine needs root (rootless operation is not supported yet); run berth as root, or use --engine docker\n');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
