import assert from 'node:assert/strict';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { LogLine } from '../../engine.js';
import { formatLogTime, parseLogTime, tailOffset } from './k8s-log-format.js';
import { followLogOutput, logFileSize, readContainerLogs, type ContainerLogOptions } from './log-reader.js';
import { withTempDir } from './state-test-fixture.js';

const T = (s: number, frac = '000000000'): string => `${new Date(s * 1000).toISOString().slice(0, 19)}.${frac}+00:00`;
const rec = (s: number, stream: string, tag: string, text: string, frac?: string): string => `${T(s, frac)} ${stream} ${tag} ${text}\n`;

const BASE = 1_800_000_000;
const SAMPLE = [
  rec(BASE, 'stdout', 'F', 'one', '848933094'),
  rec(BASE + 1, 'stdout', 'P', 'tw'),
  rec(BASE + 1, 'stderr', 'F', 'err line'),
  rec(BASE + 2, 'stdout', 'P', 'o '),
  rec(BASE + 2, 'stdout', 'F', 'parts'),
  rec(BASE + 3, 'stdout', 'F', ''),
  rec(BASE + 4, 'stderr', 'F', 'héllo'),
].join('');

const stopped = (): Promise<boolean> => Promise.resolve(false);

async function lines(path: string, opts: Partial<ContainerLogOptions> = {}): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const l of readContainerLogs(path, { follow: false, timestamps: false, isRunning: stopped, ...opts })) out.push(l);
  return out;
}

const texts = (ls: LogLine[]): string[] => ls.map((l) => `${l.stream}:${l.text}`);

describe('k8s-file log format', () => {
  it('parses offsets and prints UTC with nine fraction digits', () => {
    assert.equal(parseLogTime('2026-11-23T17:02:27.848933094+00:00'), 1795453347848933094n);
    assert.equal(parseLogTime('2026-11-23T18:02:27.848933094+01:00'), 1795453347848933094n);
    assert.equal(parseLogTime('2026-11-23T17:02:27.5Z'), 1795453347500000000n);
    assert.equal(parseLogTime('2026-11-23T17:02:27+0000'), 1795453347000000000n);
    assert.equal(parseLogTime('garbage'), undefined);
    assert.equal(formatLogTime(1795453347848933094n), '2026-11-23T17:02:27.848933094Z');
    assert.equal(formatLogTime(1795453347000000050n), '2026-11-23T17:02:27.000000050Z');
  });

  it('finds tail offsets counting a trailing unfinished line and ignoring a half-written record', () => withTempDir('log', async (dir) => {
    const path = join(dir, 'ctr.log');
    await writeFile(path, SAMPLE);
    assert.equal(await tailOffset(path, 0), SAMPLE.length + 1); // é is two bytes
    assert.equal(await tailOffset(join(dir, 'missing'), 3), 0);
    assert.equal(await tailOffset(path, 100), 0);
    await appendFile(path, rec(BASE + 5, 'stdout', 'P', 'unfinished') + T(BASE + 6));
    assert.deepEqual(texts(await lines(path, { tail: 2 })), ['stderr:héllo', 'stdout:unfinished']);
  }));
});

describe('readContainerLogs', () => {
  it('joins partial records per stream and keeps empty and UTF-8 lines', () => withTempDir('log', async (dir) => {
    const path = join(dir, 'ctr.log');
    await writeFile(path, SAMPLE);
    assert.deepEqual(texts(await lines(path)), ['stdout:one', 'stderr:err line', 'stdout:two parts', 'stdout:', 'stderr:héllo']);
    assert.deepEqual(await lines(join(dir, 'missing')), []);
  }));

  it('honours tail, since, until and timestamps', () => withTempDir('log', async (dir) => {
    const path = join(dir, 'ctr.log');
    await writeFile(path, SAMPLE);
    assert.deepEqual(texts(await lines(path, { tail: 2 })), ['stdout:', 'stderr:héllo']);
    assert.deepEqual(texts(await lines(path, { tail: 3 })), ['stdout:two parts', 'stdout:', 'stderr:héllo']);
    assert.deepEqual(texts(await lines(path, { tail: 0 })), []);
    // The joined line carries its first piece's time (BASE+1).
    assert.deepEqual(texts(await lines(path, { since: BASE + 1 })), ['stderr:err line', 'stdout:two parts', 'stdout:', 'stderr:héllo']);
    assert.deepEqual(texts(await lines(path, { since: BASE + 0.9, until: BASE + 3 })), ['stderr:err line', 'stdout:two parts', 'stdout:']);
    const first = (await lines(path, { timestamps: true, tail: 7 }))[0];
    assert.deepEqual(first, { stream: 'stdout', text: 'one', timestamp: `${new Date(BASE * 1000).toISOString().slice(0, 19)}.848933094Z` });
  }));

  it('follows appends and ends once the container stopped and the file is read', () => withTempDir('log', async (dir) => {
    const path = join(dir, 'ctr.log');
    let running = true;
    const seen: string[] = [];
    const reader = (async () => {
      for await (const l of readContainerLogs(path, { follow: true, timestamps: false, tail: 1, isRunning: () => Promise.resolve(running) })) seen.push(l.text);
    })();
    await new Promise((r) => setTimeout(r, 50));
    await writeFile(path, rec(BASE, 'stdout', 'F', 'before') + rec(BASE, 'stdout', 'F', 'last-old'));
    await new Promise((r) => setTimeout(r, 150));
    await appendFile(path, rec(BASE + 1, 'stdout', 'P', 'half '));
    await new Promise((r) => setTimeout(r, 150));
    await appendFile(path, rec(BASE + 1, 'stdout', 'F', 'done'));
    running = false;
    await appendFile(path, rec(BASE + 2, 'stdout', 'P', 'no newline at exit'));
    await reader;
    // The file did not exist when following began: everything written later counts.
    assert.deepEqual(seen, ['before', 'last-old', 'half done', 'no newline at exit']);
  }));

  // A follow that the abort did not stop would hang until the timeout.
  it('stops following on abort', { timeout: 20_000 }, () => withTempDir('log', async (dir) => {
    const path = join(dir, 'ctr.log');
    await writeFile(path, SAMPLE);
    const ac = new AbortController();
    const seen: string[] = [];
    setTimeout(() => ac.abort(), 200);
    for await (const l of readContainerLogs(path, { follow: true, timestamps: false, tail: 1, signal: ac.signal, isRunning: () => Promise.resolve(true) })) seen.push(l.text);
    assert.deepEqual(seen, ['héllo']);
  }));
});

describe('followLogOutput', () => {
  it('streams raw bytes from an offset with newlines restored until the container stops', () => withTempDir('log', async (dir) => {
    const path = join(dir, 'ctr.log');
    await writeFile(path, rec(BASE, 'stdout', 'F', 'old output'));
    const offset = await logFileSize(path);
    assert.equal(await logFileSize(join(dir, 'missing')), 0);
    let running = true;
    const chunks: string[] = [];
    const reader = (async () => {
      for await (const c of followLogOutput(path, { offset, isRunning: () => Promise.resolve(running) })) chunks.push(`${c.stream}:${c.data.toString()}`);
    })();
    await appendFile(path, rec(BASE + 1, 'stdout', 'F', 'a') + rec(BASE + 1, 'stderr', 'P', 'b'));
    await new Promise((r) => setTimeout(r, 150));
    await appendFile(path, rec(BASE + 1, 'stderr', 'F', 'c') + rec(BASE + 2, 'stdout', 'P', 'prompt> '));
    running = false;
    await reader;
    assert.deepEqual(chunks, ['stdout:a\n', 'stderr:b', 'stderr:c\n', 'stdout:prompt> ']);
  }));
});
