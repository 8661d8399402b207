import assert from 'node:assert/strict';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { BerthProcess } from '../helpers/berth-cli.js';
import { skipWithoutDocker } from '../helpers/docker.js';
import { eventually } from '../helpers/eventually.js';
import { projectSuite } from '../helpers/project-fixture.js';
import { interrupt, outputLine, sh } from './watch-support.js';

const compose = `
services:
  web:
    image: berth-test-busybox:latest
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    develop:
      watch:
        - path: ./src
          action: sync
          target: /app
          ignore: ["*.tmp", "cache/"]
  conf:
    image: berth-test-busybox:latest
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    develop:
      watch:
        - path: ./conf
          action: sync+restart
          target: /etc/conf
  hook:
    image: berth-test-busybox:latest
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    develop:
      watch:
        - path: ./hook
          action: sync+exec
          target: /hook
          exec:
            command: ["sh", "-c", "cat /hook/h.txt >> /tmp/ran"]
  bounce:
    image: berth-test-busybox:latest
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    develop:
      watch:
        - path: ./bounce.txt
          action: restart
`;

describe('watch: sync, deletions, bursts, restart and exec actions', { skip: skipWithoutDocker }, () => {
  let proc: BerthProcess | undefined;
  after(() => proc?.kill('SIGKILL'));
  const suite = projectSuite();
  const p = suite.project('wsync');
  const container = (s: string): string => `${p.name}-${s}-1`;
  const startedAt = async (s: string): Promise<string | undefined> => (await suite.engine().inspectContainer(container(s))).startedAt;

  it('starts the project and watches', async () => {
    p.write(compose);
    for (const d of ['src', 'conf', 'hook']) await mkdir(join(p.dir, d));
    await writeFile(join(p.dir, 'bounce.txt'), 'one');
    proc = p.spawn(['watch']);
    await outputLine(proc, /^watch: watching bounce, conf, hook, web /);
    assert.equal(await sh(suite.engine(), container('web'), 'echo ok'), 'ok');
  });

  it('syncs a file with content and mode, but never an ignored one', async () => {
    await writeFile(join(p.dir, 'src/x.tmp'), 'ignored');
    await mkdir(join(p.dir, 'src/cache'));
    await writeFile(join(p.dir, 'src/cache/c.txt'), 'ignored');
    await writeFile(join(p.dir, 'src/run.sh'), 'echo hi\n');
    await chmod(join(p.dir, 'src/run.sh'), 0o754);
    await eventually(() => sh(suite.engine(), container('web'), 'cat /app/run.sh'), { message: 'run.sh synced' });
    assert.equal(await sh(suite.engine(), container('web'), 'stat -c %a /app/run.sh'), '754');
    assert.equal(await sh(suite.engine(), container('web'), 'cat /app/run.sh'), 'echo hi');
    assert.equal(await sh(suite.engine(), container('web'), 'ls -A /app'), 'run.sh');
    assert.match(await outputLine(proc!, /^web: synced /), /^web: synced 1 file in \d+(\.\d)? m?s$/);
  });

  it('deletes files deleted on the host', async () => {
    const mark = proc!.out().length;
    await rm(join(p.dir, 'src/run.sh'));
    await outputLine(proc!, /^web: deleted 1 file$/, mark);
    assert.equal(await sh(suite.engine(), container('web'), 'ls -A /app'), '');
  });

  it('copies a burst of 2000 files (a directory moved in) in one batch, and removes it again', async () => {
    const staging = join(p.dir, 'staging');
    await mkdir(join(staging, 'burst'), { recursive: true });
    await Promise.all(Array.from({ length: 2000 }, (_, i) => writeFile(join(staging, 'burst', `f${i}.txt`), String(i))));
    const mark = proc!.out().length;
    await rename(join(staging, 'burst'), join(p.dir, 'src/burst'));
    await outputLine(proc!, /^web: synced 2000 files in /, mark);
    assert.equal(await sh(suite.engine(), container('web'), 'ls /app/burst | wc -l'), '2000');
    assert.equal(await sh(suite.engine(), container('web'), 'cat /app/burst/f1234.txt'), '1234');
    const mark2 = proc!.out().length;
    await rm(join(p.dir, 'src/burst'), { recursive: true });
    await outputLine(proc!, /^web: deleted \d+ files$/, mark2);
    await eventually(async () => (await sh(suite.engine(), container('web'), 'ls -A /app')) === '', { message: 'burst removed' });
  });

  it('sync+restart syncs, then restarts the service', async () => {
    const before = await startedAt('conf');
    const mark = proc!.out().length;
    await writeFile(join(p.dir, 'conf/c.txt'), 'v1');
    await outputLine(proc!, /^conf: restarted$/, mark);
    const out = proc!.out().slice(mark);
    assert.ok(out.indexOf('conf: synced 1 file') < out.indexOf('conf: restarted'), out);
    assert.notEqual(await startedAt('conf'), before);
    assert.equal(await sh(suite.engine(), container('conf'), 'cat /etc/conf/c.txt'), 'v1');
  });

  it('sync+exec syncs, then runs the exec once in the container', async () => {
    const mark = proc!.out().length;
    await writeFile(join(p.dir, 'hook/h.txt'), 'run1');
    await outputLine(proc!, /^hook: ran exec \(exit 0\)$/, mark);
    assert.equal(await sh(suite.engine(), container('hook'), 'cat /tmp/ran'), 'run1');
  });

  it('restart restarts the service without copying anything', async () => {
    const before = await startedAt('bounce');
    const mark = proc!.out().length;
    await writeFile(join(p.dir, 'bounce.txt'), 'two');
    await outputLine(proc!, /^bounce: restarted$/, mark);
    assert.notEqual(await startedAt('bounce'), before);
    assert.doesNotMatch(proc!.out().slice(mark), /bounce: synced/);
  });

  it('stops watching cleanly on Ctrl-C and leaves the project running', async () => {
    const code = await interrupt(proc!);
    // Interrupted commands exit 130 (DESIGN.md), after watching stopped in order.
    assert.equal(code, 130, proc!.err());
    assert.match(proc!.out(), /watch: stopped watching\n$/);
    assert.equal((await suite.engine().inspectContainer(container('web'))).state, 'running');
  });
});
