import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isEngineError } from '../../src/engine/engine-error.js';
import type { EngineEvent, ProgressEvent } from '../../src/engine/engine.js';
import { LABEL } from '../../src/model/labels.js';
import { BASE_IMAGE } from '../helpers/docker.js';
import { SLEEP, containerSpec, run, withProject } from './fixture.js';
import type { MakeEngine } from './fixture.js';

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

const DOCKERFILE = [
  `FROM ${BASE_IMAGE} AS first`,
  'ARG GREETING=none',
  'RUN echo "$GREETING" > /greeting',
  'COPY . /ctx/',
  'FROM first AS second',
  'RUN echo second > /stage',
  '',
].join('\n');

export function imageContract(engineName: string, makeEngine: MakeEngine): void {
  describe(`${engineName} engine: images and events`, { concurrency: true }, () => {
    it('builds a context honouring .dockerignore, args, target and labels; tags, lists and removes', async () => {
      const ctx = await mkdtemp(join(tmpdir(), 'berth-build-'));
      try {
        await writeTree(ctx, {
          'Dockerfile': DOCKERFILE,
          '.dockerignore': '# comment\nsecret.txt\n*.log\n!keep.log\nsub/**/deep.txt\n/Dockerfile\n',
          'secret.txt': 's', 'a.log': 'a', 'keep.log': 'k', 'app.txt': 'app',
          'sub/x/y/deep.txt': 'd', 'sub/keep.txt': 'k', 'custom.Dockerfile': DOCKERFILE,
          'custom.Dockerfile.dockerignore': 'app.txt\n',
        });
        await withProject(makeEngine, 'build', async (engine, project) => {
          const tag = `${project}-img:latest`;
          const events: ProgressEvent[] = [];
          const id = await engine.buildImage({
            context: ctx, dockerfile: 'Dockerfile', tags: [tag, `${project}-img:extra`], args: { GREETING: 'hello' },
            labels: { [LABEL.project]: project, 'x.built': 'yes' }, target: 'first', noCache: false, pull: false, extraHosts: [],
          }, { onProgress: (e) => events.push(e) });
          assert.match(id, /^sha256:[0-9a-f]{64}$/);
          assert.ok(events.some((e) => e.kind === 'build' && e.image === tag), JSON.stringify(events.slice(0, 3)));
          const image = await engine.inspectImage(tag);
          assert.ok(image !== undefined);
          assert.equal(image.id, id);
          assert.deepEqual(image.repoTags.sort(), [`${project}-img:extra`, tag].sort());
          assert.equal(image.labels['x.built'], 'yes');
          assert.deepEqual(image.config.command, ['sh']);

          const c = await run(engine, containerSpec(project, 'check', {
            image: tag, command: ['sh', '-c', 'cat /greeting; cd /ctx && find . -type f | sort; if test -e /stage; then echo has-second-stage; fi'],
          }));
          assert.equal(await engine.waitContainer(c), 0);
          const lines: string[] = [];
          for await (const l of engine.logs(c, { follow: false, timestamps: false })) lines.push(l.text);
          // The Dockerfile was sent (the build ran) but, being listed in .dockerignore, is not copied.
          assert.deepEqual(lines, ['hello', './.dockerignore', './app.txt', './custom.Dockerfile', './custom.Dockerfile.dockerignore', './keep.log', './sub/keep.txt']);

          // `<Dockerfile>.dockerignore` replaces .dockerignore; an inline Dockerfile is generated into the context.
          const tag2 = `${project}-img2:latest`;
          await engine.buildImage({
            context: ctx, dockerfile: 'custom.Dockerfile', tags: [tag2], args: {}, labels: { [LABEL.project]: project },
            noCache: true, pull: false, extraHosts: [],
          }, {});
          const c2 = await run(engine, containerSpec(project, 'check2', { image: tag2, command: ['sh', '-c', 'test ! -e /ctx/app.txt && test -e /ctx/secret.txt && cat /stage'] }));
          assert.equal(await engine.waitContainer(c2), 0);
          const tag3 = `${project}-img3:latest`;
          await engine.buildImage({
            context: ctx, dockerfile: 'Dockerfile', dockerfileInline: `FROM ${BASE_IMAGE}\nLABEL inline=true\nCOPY keep.log /k\n`, tags: [tag3], args: {},
            labels: { [LABEL.project]: project }, noCache: false, pull: false, extraHosts: [],
          }, {});
          assert.equal((await engine.inspectImage(tag3))?.labels.inline, 'true');

          const listed = await engine.listImages({ [LABEL.project]: project });
          assert.ok(listed.some((i) => i.id === id && i.repoTags.includes(tag)));
          await engine.tagImage(tag, `${project}-retag:v1`);
          assert.equal((await engine.inspectImage(`${project}-retag:v1`))?.id, id);
          await engine.removeImage(`${project}-retag:v1`, false);
          assert.equal(await engine.inspectImage(`${project}-retag:v1`), undefined);
          assert.equal((await engine.inspectImage(tag))?.id, id);
        });
      } finally {
        await rm(ctx, { recursive: true, force: true });
      }
    });

    it('fails a build whose step fails, with the engine message', async () => {
      const ctx = await mkdtemp(join(tmpdir(), 'berth-build-fail-'));
      try {
        await writeTree(ctx, { Dockerfile: `FROM ${BASE_IMAGE}\nRUN echo broken >&2; exit 3\n` });
        await withProject(makeEngine, 'buildfail', async (engine, project) => {
          await assert.rejects(engine.buildImage({
            context: ctx, dockerfile: 'Dockerfile', tags: [`${project}-bad:latest`], args: {}, labels: { [LABEL.project]: project },
            noCache: false, pull: false, extraHosts: [],
          }, {}), (err) => {
            assert.ok(isEngineError(err, 'failed'));
            assert.equal(err.operation, 'build image');
            assert.match(err.message, /^build image .*-bad:latest: .*returned a non-zero code: 3/);
            return true;
          });
        });
      } finally {
        await rm(ctx, { recursive: true, force: true });
      }
    });

    it('fails to pull from a registry that does not exist', async () => {
      const engine = await makeEngine();
      const ref = '127.0.0.1:1/berth-test/none:latest';
      const progress: ProgressEvent[] = [];
      await assert.rejects(engine.pullImage(ref, { onProgress: (e) => progress.push(e) }), (err) => {
        assert.ok(isEngineError(err));
        assert.ok(err.kind === 'failed' || err.kind === 'not-found', err.kind);
        assert.equal(err.resource, ref);
        assert.match(err.message, /^pull image 127\.0\.0\.1:1\/berth-test\/none:latest: /);
        return true;
      });
      await engine.close();
    });

    it('streams container events filtered by label until aborted', async () => {
      await withProject(makeEngine, 'events', async (engine, project) => {
        const controller = new AbortController();
        const seen: EngineEvent[] = [];
        const since = Math.floor(Date.now() / 1000) - 1;
        const reading = (async () => {
          for await (const e of engine.events({ labels: { [LABEL.project]: project }, since, signal: controller.signal })) {
            seen.push(e);
            if (e.type === 'container' && e.action === 'start') controller.abort();
          }
        })();
        const id = await run(engine, containerSpec(project, 'ev', { command: SLEEP }));
        await reading;
        const start = seen.find((e) => e.action === 'start');
        assert.ok(start !== undefined, seen.map((e) => `${e.type} ${e.action}`).join(', '));
        assert.equal(start.id, id);
        assert.equal(start.attributes.name, `${project}-ev`);
        assert.equal(start.attributes[LABEL.project], project);
        assert.ok(start.timeNano > 0n);
        assert.ok(seen.every((e) => e.attributes[LABEL.project] === project));
      });
    });
  });
}
