import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { BerthProcess } from '../helpers/berth-cli.js';
import { skipWithoutDocker } from '../helpers/docker.js';
import { eventually } from '../helpers/eventually.js';
import { projectSuite } from '../helpers/project-fixture.js';
import { interrupt, outputLine, sh } from './watch-support.js';

const compose = (env: string): string => `
services:
  api:
    build: ./api
    command: ["sh", "-c", "cat /app/version.txt; sleep 3600"]
    stop_grace_period: 1s
    environment:
      MODE: ${env}
    volumes: ["/data"]
    develop:
      watch:
        - path: ./api
          action: rebuild
          ignore: ["notes.md"]
  side:
    image: berth-test-busybox:latest
    command: ["sleep", "3600"]
    stop_grace_period: 1s
`;

const dockerfile = 'FROM berth-test-busybox:latest\nCOPY version.txt /app/version.txt\n';

describe('watch: rebuild, rebuild failure and recovery, compose file edits', { skip: skipWithoutDocker }, () => {
  let proc: BerthProcess | undefined;
  after(() => proc?.kill('SIGKILL'));
  const suite = projectSuite();
  const p = suite.project('wbuild');
  const api = (): string => `${p.name}-api-1`;
  const apiId = async (): Promise<string> => (await suite.engine().inspectContainer(api())).id;

  it('builds and starts the project, then watches', async () => {
    p.write(compose('one'));
    await mkdir(join(p.dir, 'api'));
    await writeFile(join(p.dir, 'api/Dockerfile'), dockerfile);
    await writeFile(join(p.dir, 'api/version.txt'), 'v1');
    proc = p.spawn(['watch', '--quiet']);
    await outputLine(proc, /^watch: watching api /, 0, 40_000);
    assert.equal(await sh(suite.engine(), api(), 'cat /app/version.txt'), 'v1');
    await sh(suite.engine(), api(), 'echo kept > /data/marker');
  });

  it('rebuilds the image on a change and recreates the container, keeping its anonymous volume', async () => {
    const before = await apiId();
    const sideBefore = (await suite.engine().inspectContainer(`${p.name}-side-1`)).id;
    const mark = proc!.out().length;
    await writeFile(join(p.dir, 'api/notes.md'), 'ignored by the rule');
    await writeFile(join(p.dir, 'api/version.txt'), 'v2');
    assert.match(await outputLine(proc!, /^api: rebuilt in /, mark, 40_000), /^api: rebuilt in \d+(\.\d)? m?s, recreated$/);
    assert.notEqual(await apiId(), before);
    assert.equal(await sh(suite.engine(), api(), 'cat /app/version.txt'), 'v2');
    assert.equal(await sh(suite.engine(), api(), 'cat /data/marker'), 'kept');
    assert.equal((await suite.engine().inspectContainer(`${p.name}-side-1`)).id, sideBefore, 'other services are left alone');
  });

  it('reports a failed build, keeps the running container and watching, then recovers', async () => {
    const before = await apiId();
    let mark = proc!.out().length;
    await writeFile(join(p.dir, 'api/Dockerfile'), `${dockerfile}RUN exit 3\n`);
    assert.match(await outputLine(proc!, /^api: rebuild failed: /, mark, 40_000), /; still watching$/);
    assert.equal(await apiId(), before);
    assert.equal((await suite.engine().inspectContainer(api())).state, 'running');
    mark = proc!.out().length;
    await writeFile(join(p.dir, 'api/version.txt'), 'v3');
    await writeFile(join(p.dir, 'api/Dockerfile'), dockerfile);
    await outputLine(proc!, /^api: rebuilt in /, mark, 40_000);
    assert.equal(await sh(suite.engine(), api(), 'cat /app/version.txt'), 'v3');
  });

  it('reloads and reconciles when the compose file changes', async () => {
    const mark = proc!.out().length;
    p.write(compose('two'));
    await outputLine(proc!, /^watch: project reloaded and reconciled in /, mark, 40_000);
    await eventually(async () => (await sh(suite.engine(), api(), 'echo $MODE')) === 'two', { message: 'api recreated with MODE=two' });
    assert.equal(await sh(suite.engine(), api(), 'cat /data/marker'), 'kept');
  });

  it('stops watching on Ctrl-C', async () => {
    assert.equal(await interrupt(proc!), 130, proc!.err());
    assert.match(proc!.out(), /watch: stopped watching\n$/);
  });
});
