import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isEngineError } from '../../engine-error.js';
import type { ProgressEvent } from '../../engine.js';
import { BUILD_BASE, buildFixture, withImageRoot, writeTree } from '../../../../test/embedded/build-fixture.js';
import type { BuildFixture } from '../../../../test/embedded/build-fixture.js';

const MULTI = [
  'ARG FLAVOUR=plain',
  `FROM ${BUILD_BASE} AS first`,
  'ARG GREETING=none',
  'ARG FLAVOUR',
  'ENV TARGET_DIR=/ctx',
  'RUN echo "$GREETING-$FLAVOUR" > /greeting && echo "said $GREETING" && rm /bin/ls',
  'COPY --chmod=640 . ${TARGET_DIR}/',
  'WORKDIR sub/dir',
  'USER nobody',
  'RUN pwd && id -u',
  'EXPOSE 80 53/udp',
  'VOLUME /data',
  'STOPSIGNAL SIGQUIT',
  'HEALTHCHECK --interval=5s --retries=2 CMD wget -q localhost',
  'ENTRYPOINT ["/bin/sh", "-c"]',
  'FROM first AS second',
  'COPY --from=first /greeting /copied',
  'USER root',
  'RUN echo second > /stage',
  '',
].join('\n');

describe('Dockerfile builds against a real store and runtime', { concurrency: false }, () => {
  let f: BuildFixture;
  before(async () => {
    f = await buildFixture();
  });
  after(async () => {
    await f.cleanup();
  });

  it('builds the target stage with args, RUN output, COPY with .dockerignore and the config instructions', async () => {
    const ctx = join(f.root, 'ctx-multi');
    await writeTree(ctx, { Dockerfile: MULTI, '.dockerignore': 'secret\n/Dockerfile\n', secret: 's', 'app.txt': 'app' });
    const events: ProgressEvent[] = [];
    const id = await f.build({ context: ctx, tags: ['t/multi:1', 't/multi:2'], args: { GREETING: 'hello', UNUSED: 'x' }, target: 'first', labels: { 'x.built': 'yes' } }, events);
    const steps = events.filter((e) => e.kind === 'build-step').map((e) => e.kind === 'build-step' && e.step);
    assert.equal(steps.length, 14);
    assert.equal(steps[0], `Step 1/14 : FROM ${BUILD_BASE} AS first`);
    // Step headers are build lines too (like Docker's stream); the assertions are about RUN output.
    const lines = events.filter((e) => e.kind === 'build' && !e.line.startsWith('Step ')).map((e) => e.kind === 'build' && e.line);
    assert.deepEqual(lines, ['said hello', '/sub/dir', '65534']);
    const info = await f.store.inspect('t/multi:2');
    assert.equal(info?.id, id);
    assert.deepEqual(info?.repoTags, ['t/multi:1', 't/multi:2']);
    assert.deepEqual(info?.labels, { 'x.built': 'yes' });
    assert.deepEqual(info?.config, {
      entrypoint: ['/bin/sh', '-c'], env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TARGET_DIR=/ctx'],
      workingDir: '/sub/dir', user: 'nobody', exposedPorts: ['53/udp', '80/tcp'], volumes: ['/data'], stopSignal: 'SIGQUIT',
      healthcheck: { test: ['CMD-SHELL', 'wget -q localhost'], intervalMs: 5000, retries: 2 },
    });
    await withImageRoot(f, id, async (root) => {
      assert.equal(await readFile(join(root, 'greeting'), 'utf8'), 'hello-plain\n');
      assert.deepEqual((await readdir(join(root, 'ctx'))).sort(), ['.dockerignore', 'app.txt']);
      assert.equal((await lstat(join(root, 'ctx/app.txt'))).mode & 0o7777, 0o640);
      // The RUN's `rm /bin/ls` is a whiteout over the base layer: gone in the container's view.
      await assert.rejects(lstat(join(root, 'bin/ls')), { code: 'ENOENT' });
      assert.ok((await lstat(join(root, 'bin/cat'))).isSymbolicLink());
      assert.ok((await lstat(join(root, 'sub/dir'))).isDirectory());
      await assert.rejects(lstat(join(root, 'stage')), { code: 'ENOENT' });
    });
    const layers = await f.store.lowerDirs(id);
    const base = await f.store.lowerDirs((await f.store.resolve(BUILD_BASE))!.id);
    // RUN (rm + greeting), COPY, WORKDIR on top of the base's single COPY layer; the second RUN wrote nothing.
    assert.equal(layers.length, base.length + 3);
    const st = await lstat(join(layers[2]!, 'bin/ls'));
    assert.ok(st.isCharacterDevice() && st.rdev === 0);

    const full = await f.build({ context: ctx, tags: ['t/multi:full'], args: { GREETING: 'hi', FLAVOUR: 'spicy' } });
    await withImageRoot(f, full, async (root) => {
      assert.equal(await readFile(join(root, 'copied'), 'utf8'), 'hi-spicy\n');
      assert.equal(await readFile(join(root, 'stage'), 'utf8'), 'second\n');
    });
  });

  it('reuses the cache for an unchanged Dockerfile and context, and rebuilds what changed', async () => {
    const ctx = join(f.root, 'ctx-cache');
    await writeTree(ctx, { Dockerfile: `FROM ${BUILD_BASE}\nRUN echo ran\nCOPY f /f\nRUN cat /f\n`, f: 'one\n' });
    const first: ProgressEvent[] = [];
    const id = await f.build({ context: ctx, tags: ['t/cache:1'] }, first);
    const again: ProgressEvent[] = [];
    assert.equal(await f.build({ context: ctx, tags: ['t/cache:1'] }, again), id);
    const lines = (ev: ProgressEvent[]): unknown[] => ev.filter((e) => e.kind === 'build' && !e.line.startsWith('Step ')).map((e) => e.kind === 'build' && e.line);
    assert.deepEqual(lines(first), ['ran', 'one']);
    assert.deepEqual(lines(again), [' ---> Using cache', ' ---> Using cache', ' ---> Using cache']);
    await writeFile(join(ctx, 'f'), 'two\n');
    const changed: ProgressEvent[] = [];
    const id2 = await f.build({ context: ctx, tags: ['t/cache:1'] }, changed);
    assert.notEqual(id2, id);
    assert.deepEqual(lines(changed), [' ---> Using cache', 'two']);
    const noCache: ProgressEvent[] = [];
    await f.build({ context: ctx, tags: ['t/cache:2'], noCache: true }, noCache);
    assert.deepEqual(lines(noCache), ['ran', 'two']);
  });

  it('fails a RUN with Docker\'s message and a missing base image clearly', async () => {
    const ctx = join(f.root, 'ctx-fail');
    await writeTree(ctx, { Dockerfile: `FROM ${BUILD_BASE}\nRUN echo broken >&2; exit 3\n` });
    await assert.rejects(f.build({ context: ctx, tags: ['t/bad:latest'] }), (err) => {
      assert.ok(isEngineError(err, 'failed'));
      assert.equal(err.operation, 'build image');
      assert.equal(err.message, "build image t/bad:latest: The command '/bin/sh -c echo broken >&2; exit 3' returned a non-zero code: 3");
      return true;
    });
    await assert.rejects(f.build({ context: ctx, dockerfileInline: 'FROM berth-none/missing:1\n', tags: ['t/x:1'] }), (err) => {
      assert.ok(isEngineError(err, 'not-found'));
      assert.match(err.message, /^build image t\/x:1: pull access denied for berth-none\/missing:1/);
      return true;
    });
  });

  it('ADD extracts a local tar archive; `<Dockerfile>.dockerignore` replaces .dockerignore', async () => {
    const ctx = join(f.root, 'ctx-add');
    await mkdir(join(ctx, 'tree/inner'), { recursive: true });
    await writeFile(join(ctx, 'tree/inner/file'), 'from tar');
    execFileSync('tar', ['-C', join(ctx, 'tree'), '-czf', join(ctx, 'a.tgz'), '--owner=5', '--group=6', '.']);
    await writeTree(ctx, {
      'custom.Dockerfile': `FROM ${BUILD_BASE}\nADD a.tgz /x/\nCOPY *.txt /t/\n`, 'custom.Dockerfile.dockerignore': 'skip.txt\n',
      '.dockerignore': '*.tgz\n', 'keep.txt': 'k', 'skip.txt': 's',
    });
    const id = await f.build({ context: ctx, dockerfile: 'custom.Dockerfile', tags: ['t/add:1'] });
    await withImageRoot(f, id, async (root) => {
      assert.equal(await readFile(join(root, 'x/inner/file'), 'utf8'), 'from tar');
      const st = await lstat(join(root, 'x/inner/file'));
      assert.deepEqual([st.uid, st.gid], [5, 6]);
      assert.deepEqual(await readdir(join(root, 't')), ['keep.txt']);
    });
  });
});
