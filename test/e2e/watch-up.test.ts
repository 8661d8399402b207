import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
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
    command: ["sh", "-c", "echo web says hello; sleep 3600"]
    stop_grace_period: 1s
    develop:
      watch:
        - path: ./src
          action: sync
          target: /app
          initial_sync: true
  db:
    image: berth-test-busybox:latest
    command: ["sleep", "3600"]
    stop_grace_period: 1s
`;

describe('up --watch', { skip: skipWithoutDocker }, () => {
  let proc: BerthProcess | undefined;
  after(() => proc?.kill('SIGKILL'));
  const suite = projectSuite();
  const p = suite.project('wup');

  it('refuses the flags --watch cannot go with', async () => {
    p.write(compose);
    for (const flags of [['-d'], ['--no-build'], ['--wait']]) {
      const r = await p.run('up', '--watch', ...flags);
      assert.equal(r.code, 1, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /are incompatible/);
    }
  });

  it('refuses services without a develop section', async () => {
    const r = await p.run('watch', '--no-up', 'db');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /none of the selected services is configured for watch, consider setting a 'develop' section/);
  });

  it('starts attached, syncs initially and on change, streams prefixed logs', async () => {
    await mkdir(join(p.dir, 'src'));
    await writeFile(join(p.dir, 'src/initial.txt'), 'from the start');
    proc = p.spawn(['up', '--watch']);
    await outputLine(proc, /^watch: watching web /);
    assert.equal(await sh(suite.engine(), `${p.name}-web-1`, 'cat /app/initial.txt'), 'from the start');
    await outputLine(proc, /^web-1 +\| web says hello$/);
    await writeFile(join(p.dir, 'src/later.txt'), 'later');
    await eventually(() => sh(suite.engine(), `${p.name}-web-1`, 'cat /app/later.txt'), { message: 'later.txt synced' });
  });

  it('stops the project on Ctrl-C like attached up', async () => {
    assert.equal(await interrupt(proc!), 130, proc!.err());
    assert.match(proc!.err(), /Gracefully stopping/);
    for (const s of ['web', 'db']) assert.equal((await suite.engine().inspectContainer(`${p.name}-${s}-1`)).state, 'exited', s);
  });
});
