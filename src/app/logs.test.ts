import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ignoreEvents } from '../events/events.js';
import { FakeLogEngine } from './inspect/fake-log-engine.js';
import { LogCursor, timestampNanos } from './inspect/log-cursor.js';
import { streamLogs, type LogSource } from './logs.js';
import type { LogLine } from '../engine/engine.js';

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

function collect(): { lines: string[]; attached: string[]; onLine: (s: LogSource, l: LogLine) => void; onAttach: (s: LogSource) => void } {
  const lines: string[] = [];
  const attached: string[] = [];
  return {
    lines,
    attached,
    onLine: (s, l) => void lines.push(`${s.name}: ${l.text}${l.timestamp === undefined ? '' : ' @'}`),
    onAttach: (s) => void attached.push(`${s.name}/${s.service}/${s.number}`),
  };
}

describe('timestampNanos', () => {
  it('reads nine fraction digits exactly', () => {
    assert.equal(timestampNanos('2024-01-02T03:04:05.123456789Z'), 1704164645123456789n);
    assert.equal(timestampNanos('2024-01-02T03:04:05Z'), 1704164645000000000n);
    assert.equal(timestampNanos('2024-01-02T04:04:05.5+01:00'), 1704164645500000000n);
    assert.equal(timestampNanos('yesterday'), undefined);
  });
});

describe('LogCursor', () => {
  it('drops lines already read when a read is repeated from the last instant', () => {
    const c = new LogCursor();
    const at = (text: string, ts: string): LogLine => ({ stream: 'stdout', text, timestamp: ts });
    assert.equal(c.accept(at('a', '2024-01-01T00:00:01.000000001Z')), true);
    assert.equal(c.accept(at('b', '2024-01-01T00:00:02.000000001Z')), true);
    assert.equal(c.accept(at('b', '2024-01-01T00:00:02.000000001Z')), true, 'a second identical line at the same instant is new');
    assert.equal(c.sinceSeconds(), 1704067202.000000 - 1e-6);
    c.rewind();
    assert.equal(c.accept(at('a', '2024-01-01T00:00:01.000000001Z')), false);
    assert.equal(c.accept(at('b', '2024-01-01T00:00:02.000000001Z')), false);
    assert.equal(c.accept(at('b', '2024-01-01T00:00:02.000000001Z')), false);
    assert.equal(c.accept(at('c', '2024-01-01T00:00:02.000000001Z')), true);
    assert.equal(c.accept(at('d', '2024-01-01T00:00:03Z')), true);
    assert.equal(c.accept({ stream: 'stdout', text: 'no time' }), true);
  });
});

describe('streamLogs', () => {
  it('without follow: reads every selected container once, strips timestamps unless asked', async () => {
    const fake = new FakeLogEngine();
    fake.add('w1', 'p', 'web', 1);
    fake.add('d1', 'p', 'db', 1, false);
    fake.add('x1', 'other', 'web', 1);
    fake.write('w1', 'hello');
    fake.write('d1', 'db says');
    fake.write('w1', 'world');
    fake.write('x1', 'not mine');
    const out = collect();
    const ctx = { projectName: 'p', engine: fake.asEngine(), events: ignoreEvents, parallel: -1 };
    await streamLogs(ctx, { services: [], follow: false, timestamps: false, tail: 1 }, out.onLine, out.onAttach);
    assert.deepEqual(out.attached, ['db-1/db/1', 'web-1/web/1']);
    assert.deepEqual(out.lines.sort(), ['db-1: db says', 'web-1: world']);
    const only = collect();
    await streamLogs(ctx, { services: ['web'], follow: false, timestamps: true }, only.onLine);
    assert.deepEqual(only.lines, ['web-1: hello @', 'web-1: world @']);
  });

  it('follows a restarted container from where it stopped and containers that appear later', async () => {
    const fake = new FakeLogEngine();
    fake.add('w1', 'p', 'web', 1);
    fake.write('w1', 'one');
    fake.write('w1', 'two');
    const abort = new AbortController();
    const out = collect();
    const ctx = { projectName: 'p', engine: fake.asEngine(), events: ignoreEvents, parallel: -1, signal: abort.signal };
    const done = streamLogs(ctx, { services: [], follow: true, timestamps: false }, out.onLine, out.onAttach);
    await until(() => out.lines.length === 2, 'the first lines');
    fake.write('w1', 'three');
    fake.write('w1', 'three', true);
    fake.stop('w1');
    await until(() => out.lines.length === 4, 'the lines written before the stop');
    fake.start('w1');
    fake.write('w1', 'four');
    await until(() => out.lines.includes('web-1: four'), 'the line after the restart');
    assert.equal(fake.logCalls[0]?.opts.since, undefined);
    assert.notEqual(fake.logCalls.at(-1)?.opts.since, undefined, 'the restarted container is read from where it stopped');
    fake.add('w2', 'p', 'web', 2);
    fake.write('w2', 'late');
    await until(() => out.lines.includes('web-2: late'), 'the container that appeared later');
    abort.abort();
    await done;
    assert.deepEqual(out.lines, ['web-1: one', 'web-1: two', 'web-1: three', 'web-1: three', 'web-1: four', 'web-2: late']);
    assert.deepEqual(out.attached, ['web-1/web/1', 'web-2/web/2']);
  });

  it('follows a recreated container (new id, same name) and ignores other services', async () => {
    const fake = new FakeLogEngine();
    fake.add('a', 'p', 'web', 1);
    fake.add('b', 'p', 'db', 1);
    fake.write('a', 'old');
    fake.write('b', 'db line');
    const abort = new AbortController();
    const out = collect();
    const ctx = { projectName: 'p', engine: fake.asEngine(), events: ignoreEvents, parallel: -1, signal: abort.signal };
    const done = streamLogs(ctx, { services: ['web'], follow: true, timestamps: false, index: 1 }, out.onLine);
    await until(() => out.lines.length === 1, 'the old container');
    fake.stop('a');
    fake.event('a', 'destroy');
    fake.add('c', 'p', 'web', 1);
    fake.add('d', 'p', 'web', 2);
    fake.write('c', 'new');
    fake.write('d', 'other replica');
    await until(() => out.lines.length === 2, 'the recreated container');
    abort.abort();
    await done;
    assert.deepEqual(out.lines, ['web-1: old', 'web-1: new']);
  });
});
