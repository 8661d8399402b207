import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { tarBuffer } from '../../src/model/tar.js';
import type { LogLine } from '../../src/engine/engine.js';
import { eventually } from '../helpers/eventually.js';
import { SLEEP, collectLogs, containerSpec, run, withProject } from './fixture.js';
import type { MakeEngine } from './fixture.js';

const text = (lines: LogLine[], stream: 'stdout' | 'stderr'): string[] => lines.filter((l) => l.stream === stream).map((l) => l.text);

async function streamToBuffer(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function ioContract(engineName: string, makeEngine: MakeEngine): void {
  describe(`${engineName} engine: logs, exec, attach, copy`, { concurrency: true }, () => {
    it('separates stdout from stderr, honours tail and timestamps', async () => {
      await withProject(makeEngine, 'logs', async (engine, project) => {
        const id = await run(engine, containerSpec(project, 'log', {
          // stdout and stderr are separate pipes: the pause keeps their order in the log deterministic.
          command: ['sh', '-c', 'echo two >&2; sleep 0.2; echo one; echo three; echo "four  spaced"; printf "no newline"'],
        }));
        assert.equal(await engine.waitContainer(id), 0);
        const lines = await collectLogs(engine.logs(id, { follow: false, timestamps: false }));
        assert.deepEqual(text(lines, 'stdout'), ['one', 'three', 'four  spaced', 'no newline']);
        assert.deepEqual(text(lines, 'stderr'), ['two']);
        assert.ok(lines.every((l) => l.timestamp === undefined));
        const tail = await collectLogs(engine.logs(id, { follow: false, timestamps: false, tail: 2 }));
        assert.deepEqual(tail.map((l) => l.text), ['four  spaced', 'no newline']);
        const stamped = await collectLogs(engine.logs(id, { follow: false, timestamps: true, tail: 1 }));
        assert.equal(stamped.length, 1);
        assert.equal(stamped[0]?.text, 'no newline');
        assert.match(stamped[0]?.timestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
      });
    });

    it('follows logs until aborted, and until the container exits', async () => {
      await withProject(makeEngine, 'follow', async (engine, project) => {
        const ticker = await run(engine, containerSpec(project, 'tick', {
          command: ['sh', '-c', 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 0.1; done'],
        }));
        const controller = new AbortController();
        const seen: string[] = [];
        for await (const line of engine.logs(ticker, { follow: true, timestamps: false, signal: controller.signal })) {
          seen.push(line.text);
          if (seen.length === 3) controller.abort();
        }
        assert.deepEqual(seen, ['tick 0', 'tick 1', 'tick 2']);

        const short = await engine.createContainer(containerSpec(project, 'short', { command: ['sh', '-c', 'echo a; sleep 0.5; echo b >&2'] }));
        await engine.startContainer(short);
        const followed = await collectLogs(engine.logs(short, { follow: true, timestamps: false }));
        assert.deepEqual(followed.map((l) => [l.stream, l.text]), [['stdout', 'a'], ['stderr', 'b']]);
      });
    });

    it('execs with exit code, output, env, user and working directory', async () => {
      await withProject(makeEngine, 'exec', async (engine, project) => {
        const id = await run(engine, containerSpec(project, 'x', { command: SLEEP, env: ['FROM_CONTAINER=c'] }));
        const r = await engine.exec(id, {
          command: ['sh', '-c', 'echo "$FOO $FROM_CONTAINER"; id -u; pwd; echo oops >&2; exit 4'],
          env: ['FOO=bar'], user: '65534', workingDir: '/tmp',
        });
        assert.equal(r.exitCode, 4);
        assert.equal(r.output?.split('\n').filter((l) => l !== '').sort().join('|'), ['/tmp', '65534', 'bar c', 'oops'].sort().join('|'));

        const out = new PassThrough();
        const err = new PassThrough();
        const streamed = await engine.exec(id, { command: ['sh', '-c', 'echo to-out; echo to-err >&2'], stdout: out, stderr: err });
        out.end();
        err.end();
        assert.deepEqual(streamed, { exitCode: 0 });
        assert.equal((await streamToBuffer(out)).toString(), 'to-out\n');
        assert.equal((await streamToBuffer(err)).toString(), 'to-err\n');

        const piped = await engine.exec(id, { command: ['sh', '-c', 'tr a-z A-Z'], stdin: Readable.from([Buffer.from('hello\nworld\n')]) });
        assert.deepEqual(piped, { exitCode: 0, output: 'HELLO\nWORLD\n' });

        const tty = await engine.exec(id, { command: ['sh', '-c', 'tty; echo err >&2'], tty: true });
        assert.equal(tty.exitCode, 0);
        assert.match(tty.output ?? '', /^\/dev\/pts\/\d+\r\nerr\r\n$/);

        const detached = await engine.exec(id, { command: ['sh', '-c', 'echo detached > /tmp/detached'], detach: true });
        assert.equal(detached.exitCode, 0);
        await eventually(async () => (await engine.exec(id, { command: ['cat', '/tmp/detached'] })).output === 'detached\n');
      });
    });

    it('attaches before start without losing output', async () => {
      await withProject(makeEngine, 'attach', async (engine, project) => {
        const id = await engine.createContainer(containerSpec(project, 'a', { command: ['sh', '-c', 'echo hello; echo problem >&2; exit 2'] }));
        const out = new PassThrough();
        const err = new PassThrough();
        let ready!: () => void;
        const established = new Promise<void>((resolve) => (ready = resolve));
        const attached = engine.attach(id, { stdout: out, stderr: err, tty: false, onAttached: () => ready() });
        await Promise.race([established, attached]);
        await engine.startContainer(id);
        await attached;
        out.end();
        err.end();
        assert.equal((await streamToBuffer(out)).toString(), 'hello\n');
        assert.equal((await streamToBuffer(err)).toString(), 'problem\n');
        assert.equal(await engine.waitContainer(id), 2);
      });
    });

    it('forwards stdin given before start to a stdin-once container; its end is the container\'s', async () => {
      await withProject(makeEngine, 'attachin', async (engine, project) => {
        const id = await engine.createContainer(containerSpec(project, 'a', { command: ['sh', '-c', 'cat; echo eof-seen'], stdinOpen: true, stdinOnce: true }));
        const out = new PassThrough();
        const err = new PassThrough();
        let ready!: () => void;
        const established = new Promise<void>((resolve) => (ready = resolve));
        // Typed ahead: written before the container (and, on the embedded engine, its socket) exists.
        const attached = engine.attach(id, { stdin: Readable.from([Buffer.from('typed ahead\n'), Buffer.from('x'.repeat(70_000) + '\n')]), stdout: out, stderr: err, tty: false, onAttached: () => ready() });
        await Promise.race([established, attached]);
        await engine.startContainer(id);
        await attached;
        out.end();
        err.end();
        assert.equal((await streamToBuffer(out)).toString(), `typed ahead\n${'x'.repeat(70_000)}\neof-seen\n`);
        assert.equal(await engine.waitContainer(id), 0);
      });
    });

    it('copies a tar into a container and back out', async () => {
      await withProject(makeEngine, 'copy', async (engine, project) => {
        const id = await run(engine, containerSpec(project, 'c', { command: SLEEP }));
        const mtime = 1_700_000_000;
        const longName = `dir/${'n'.repeat(120)}.txt`;
        const archive = await tarBuffer([
          { type: 'dir', path: 'dir', mode: 0o755, mtime },
          { type: 'file', path: 'dir/hello.txt', mode: 0o644, mtime, content: Buffer.from('hello\n') },
          { type: 'file', path: 'dir/run.sh', mode: 0o755, mtime, content: Buffer.from('#!/bin/sh\necho ran\n\n') },
          { type: 'file', path: longName, mode: 0o600, mtime, content: Buffer.from('long') },
          { type: 'symlink', path: 'dir/link', linkTarget: 'hello.txt', mode: 0o777, mtime },
        ]);
        await engine.copyTo(id, '/tmp', Readable.from([archive]));
        const check = await engine.exec(id, { command: ['sh', '-c', `cat /tmp/dir/hello.txt; /tmp/dir/run.sh; cat /tmp/dir/link; cat /tmp/${longName}; echo; stat -c %a /tmp/${longName}`] });
        assert.deepEqual(check, { exitCode: 0, output: 'hello\nran\nhello\nlong\n600\n' });

        const out = await streamToBuffer(await engine.copyFrom(id, '/tmp/dir'));
        const dir = await mkdtemp(join(tmpdir(), 'berth-copy-'));
        try {
          const res = spawnSync('tar', ['-x', '-C', dir], { input: out });
          assert.equal(res.status, 0, res.stderr.toString());
          assert.equal(await readFile(join(dir, 'dir/hello.txt'), 'utf8'), 'hello\n');
          assert.equal(await readFile(join(dir, longName), 'utf8'), 'long');
          assert.equal((await stat(join(dir, 'dir/run.sh'))).mode & 0o777, 0o755);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
        // An archive read only a while after it was asked for is still whole.
        const late = await engine.copyFrom(id, '/tmp/dir/hello.txt');
        await new Promise((r) => setTimeout(r, 500));
        const lateRes = spawnSync('tar', ['-x', '-O'], { input: await streamToBuffer(late) });
        assert.equal(lateRes.stdout.toString(), 'hello\n', lateRes.stderr.toString());
        await assert.rejects(engine.copyFrom(id, '/does/not/exist'), { name: 'EngineError', kind: 'not-found' });
      });
    });
  });
}
