import assert from 'node:assert/strict';
import { appendFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EngineEvent } from '../../engine.js';
import { decodeEvent, encodeEvent, EventLog } from './event-log.js';
import { moduleUrl, runNode, withTempDir } from './state-test-fixture.js';

const S = 1_000_000_000n;

function ev(action: string, seconds: number, attributes: Record<string, string> = {}): EngineEvent {
  return { type: 'container', action, id: `id-${action}`, attributes, timeNano: BigInt(seconds) * S + 5n };
}

async function collect(it: AsyncIterable<EngineEvent>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of it) out.push(e.action);
  return out;
}

describe('EventLog', () => {
  it('writes one JSON line per event with timeNano as a string and reads it back exactly', () => withTempDir('ev', async (dir) => {
    const log = new EventLog(join(dir, 'sub', 'events.jsonl'));
    const e = ev('start', 1700000000, { name: 'web', 'com.docker.compose.project': 'p' });
    await log.append(e);
    assert.equal(await readFile(log.path, 'utf8'),
      '{"type":"container","action":"start","id":"id-start","attributes":{"name":"web","com.docker.compose.project":"p"},"timeNano":"1700000000000000005"}\n');
    const read: EngineEvent[] = [];
    for await (const x of log.read({ labels: {}, follow: false })) read.push(x);
    assert.deepEqual(read, [e]);
    assert.equal(decodeEvent('{"type":"bogus","action":"x","id":"y","attributes":{},"timeNano":"1"}'), undefined);
    assert.equal(decodeEvent('{"type":"container","action":"x"'), undefined);
    assert.deepEqual(decodeEvent(encodeEvent(e).trim()), e);
  }));

  it('filters by since/until (seconds, inclusive) and labels', () => withTempDir('ev', async (dir) => {
    const log = new EventLog(join(dir, 'events.jsonl'));
    await log.append(ev('a', 100, { p: 'x' }));
    await log.append(ev('b', 200, { p: 'y' }));
    await log.append(ev('c', 300, { p: 'x', q: '' }));
    await appendFile(log.path, 'not json\n');
    await log.append(ev('d', 400, { p: 'x' }));
    assert.deepEqual(await collect(log.read({ labels: {}, follow: false })), ['a', 'b', 'c', 'd']);
    assert.deepEqual(await collect(log.read({ labels: {}, since: 200, follow: false })), ['b', 'c', 'd']);
    assert.deepEqual(await collect(log.read({ labels: {}, until: 300, follow: false })), ['a', 'b']);
    assert.deepEqual(await collect(log.read({ labels: {}, since: 200, until: 300.5, follow: false })), ['b', 'c']);
    assert.deepEqual(await collect(log.read({ labels: { p: 'x' }, follow: false })), ['a', 'c', 'd']);
    assert.deepEqual(await collect(log.read({ labels: { q: undefined }, follow: false })), ['c']);
    // A followed read with an until in the past returns history and ends.
    assert.deepEqual(await collect(log.read({ labels: {}, since: 150, until: 350, follow: true })), ['b', 'c']);
  }));

  it('follows new events only (without since) until aborted', () => withTempDir('ev', async (dir) => {
    const log = new EventLog(join(dir, 'events.jsonl'));
    await log.append(ev('old', 100));
    const ac = new AbortController();
    const seen: string[] = [];
    const reader = (async () => {
      for await (const e of log.read({ labels: { keep: undefined }, follow: true, signal: ac.signal })) {
        seen.push(e.action);
        if (seen.length === 2) ac.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    await log.append(ev('new1', 500, { keep: '1' }));
    await log.append(ev('skipped', 501));
    await log.append(ev('new2', 502, { keep: '1' }));
    await reader;
    assert.deepEqual(seen, ['new1', 'new2']);
  }));

  // A follow that never ended would hang until the timeout.
  it('follow with since replays history, then ends at until', { timeout: 20_000 }, () => withTempDir('ev', async (dir) => {
    const log = new EventLog(join(dir, 'events.jsonl'));
    await log.append(ev('old', 100));
    const nowS = Date.now() / 1000;
    const t0 = Date.now();
    const done = collect(log.read({ labels: {}, since: 50, until: nowS + 0.3, follow: true }));
    await new Promise((r) => setTimeout(r, 50));
    await log.append({ ...ev('live', 0), timeNano: BigInt(Date.now()) * 1_000_000n });
    assert.deepEqual(await done, ['old', 'live']);
    const took = Date.now() - t0;
    assert.ok(took >= 250, `ended after ${took} ms, before until`);
  }));

  it('takes concurrent appends from several processes without losing or tearing lines', () => withTempDir('ev', async (dir) => {
    const path = join(dir, 'events.jsonl');
    const script = (n: number): string => `
      import { EventLog } from '${moduleUrl('event-log.js')}';
      const log = new EventLog(${JSON.stringify(path)});
      const pad = 'x'.repeat(300);
      await Promise.all(Array.from({ length: 100 }, (_, i) => log.append({ type: 'volume', action: 'p${n}-' + i, id: pad, attributes: {}, timeNano: BigInt(i) })));`;
    const log = new EventLog(path);
    const ac = new AbortController();
    const seen = new Set<string>();
    const follower = (async () => {
      for await (const e of log.read({ labels: {}, since: 0, follow: true, signal: ac.signal })) {
        seen.add(e.action);
        if (seen.size === 300) ac.abort();
      }
    })();
    await Promise.all([runNode(script(1)), runNode(script(2)), runNode(script(3))]);
    const lines = (await readFile(path, 'utf8')).split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 300);
    assert.ok(lines.every((l) => decodeEvent(l) !== undefined));
    await follower;
    assert.equal(seen.size, 300);
  }));

  it('rotates above the size limit, reads both files, and a follower survives the rotation', () => withTempDir('ev', async (dir) => {
    // Room for 7.5 lines: the 9th append rotates the 8 lines written so far.
    const lineBytes = encodeEvent(ev('a0', 100, { pad: 'p'.repeat(100) })).length;
    const max = Math.floor(lineBytes * 7.5);
    const log = new EventLog(join(dir, 'events.jsonl'), max);
    for (let i = 0; i < 8; i++) await log.append(ev(`a${i}`, 100 + i, { pad: 'p'.repeat(100) }));
    const ac = new AbortController();
    const seen: string[] = [];
    const follower = (async () => {
      for await (const e of log.read({ labels: {}, since: 0, follow: true, signal: ac.signal })) {
        seen.push(e.action);
        if (e.action === 'b3') ac.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 4; i++) await log.append(ev(`b${i}`, 200 + i, { pad: 'p'.repeat(100) }));
    await follower;
    assert.equal((await stat(log.rotatedPath)).size, 8 * lineBytes);
    assert.equal((await stat(log.path)).size, 4 * lineBytes);
    const expected = [...Array.from({ length: 8 }, (_, i) => `a${i}`), ...Array.from({ length: 4 }, (_, i) => `b${i}`)];
    assert.deepEqual(seen, expected);
    assert.deepEqual(await collect(log.read({ labels: {}, follow: false })), expected);
  }));
});
