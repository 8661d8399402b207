import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Project, ServiceConfig } from '../model/project.js';
import { compilePathFilter } from '../watch/path-filter.js';
import { resolveSync } from './watch/sync-archive.js';
import { watchTargets } from './watch/watch-targets.js';

function project(services: ServiceConfig[]): Project {
  return {
    name: 'p', workingDir: '/p', configFiles: ['/p/compose.yaml'], envFiles: [], services: Object.fromEntries(services.map((s) => [s.name, s])),
    disabledServices: {}, networks: {}, volumes: {}, secrets: {}, configs: {}, models: {}, profiles: [], environment: {}, extensions: {},
  };
}

describe('watchTargets', () => {
  it('refuses when no selected service has develop.watch', async () => {
    const p = project([{ name: 'db', image: 'x' }, { name: 'web', image: 'x', develop: { watch: [{ path: '/p/src', action: 'sync', target: '/app' }] } }]);
    await assert.rejects(watchTargets(p, ['db']), { message: "none of the selected services is configured for watch, consider setting a 'develop' section" });
    assert.deepEqual((await watchTargets(p, [])).services, ['web']);
  });

  it('refuses rebuild without a build section', async () => {
    const p = project([{ name: 'web', image: 'x', develop: { watch: [{ path: '/p/src', action: 'rebuild' }] } }]);
    await assert.rejects(watchTargets(p, []), { message: 'can\'t watch service "web" with action rebuild without a build context' });
  });

  it('skips sync rules under a bind mount, with the compose warning', async () => {
    const p = project([
      {
        name: 'web', image: 'x',
        volumes: [{ type: 'bind', source: '/p', target: '/code' }],
        develop: { watch: [{ path: '/p/src', action: 'sync', target: '/app' }, { path: '/p/src', action: 'restart' }] },
      },
    ]);
    const t = await watchTargets(p, []);
    assert.deepEqual(t.warnings, ["path '/p/src' also declared by a bind mount volume, this path won't be monitored!"]);
    assert.deepEqual(t.rules.map((r) => r.rule.action), ['restart']);
  });

  it("applies the build context's .dockerignore to the service's rules", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-watch-targets-'));
    try {
      await writeFile(join(dir, '.dockerignore'), 'src/dist\n');
      const p = project([{ name: 'web', build: { context: dir, dockerfile: 'Dockerfile' }, develop: { watch: [{ path: join(dir, 'src'), action: 'rebuild' }] } }]);
      const [r] = (await watchTargets(p, [])).rules;
      assert.equal(r?.filter.accepts(join(dir, 'src/dist/a.js')), false);
      assert.equal(r?.filter.accepts(join(dir, 'src/a.js')), true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('resolveSync', () => {
  it('reads files at sync time: modes, new directories with their accepted contents, vanished files as deletions', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-watch-sync-'));
    try {
      await mkdir(join(dir, 'new/sub'), { recursive: true });
      await chmod(join(dir, 'new'), 0o755);
      await chmod(join(dir, 'new/sub'), 0o755);
      await writeFile(join(dir, 'new/sub/a.sh'), 'echo');
      await chmod(join(dir, 'new/sub/a.sh'), 0o750);
      await writeFile(join(dir, 'new/b.tmp'), 'x');
      await symlink('sub/a.sh', join(dir, 'new/link'));
      const rule = { service: 's', index: 0, rule: { path: dir, action: 'sync' as const, target: '/app', ignore: ['**/*.tmp'] }, filter: compilePathFilter({ root: dir, ignore: ['**/*.tmp'], include: [] }) };
      const res = await resolveSync([
        { hostPath: join(dir, 'new'), containerPath: '/app/new', kind: 'write', rule },
        { hostPath: join(dir, 'gone.txt'), containerPath: '/app/gone.txt', kind: 'write', rule },
        { hostPath: join(dir, 'old'), containerPath: '/app/old', kind: 'delete', rule },
      ]);
      assert.deepEqual(res.entries.map((e) => `${e.type} ${e.path} ${(e.mode ?? 0).toString(8)}${e.type === 'symlink' ? ` -> ${e.linkTarget}` : ''}`), [
        'dir app/new 755',
        'symlink app/new/link 777 -> sub/a.sh',
        'dir app/new/sub 755',
        'file app/new/sub/a.sh 750',
      ]);
      assert.deepEqual(res.deletions, ['/app/gone.txt', '/app/old']);
      assert.equal(res.files, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
