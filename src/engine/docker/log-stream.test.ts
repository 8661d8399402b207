import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { LogLine } from '../engine.js';
import { demuxFrames, framesToLines } from './log-stream.js';

function frame(type: number, text: string): Buffer {
  const data = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

function chunks(buf: Buffer, size: number): AsyncIterable<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

async function lines(source: AsyncIterable<Buffer>, tty: boolean, timestamps: boolean): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const l of framesToLines(demuxFrames(source, tty), timestamps)) out.push(l);
  return out;
}

describe('log stream', () => {
  it('demultiplexes frames split at every byte, keeping partial lines and multi-byte characters', async () => {
    const raw = Buffer.concat([frame(1, 'one\ntw'), frame(2, 'err é'), frame(1, 'o\n'), frame(2, 'rest\n'), frame(1, 'tail')]);
    for (const size of [1, 3, 7, raw.length]) {
      assert.deepEqual(await lines(chunks(raw, size), false, false), [
        { stream: 'stdout', text: 'one' },
        { stream: 'stdout', text: 'two' },
        { stream: 'stderr', text: 'err érest' },
        { stream: 'stdout', text: 'tail' },
      ], `chunk size ${size}`);
    }
  });

  it('passes a TTY stream through as stdout and strips carriage returns', async () => {
    assert.deepEqual(await lines(chunks(Buffer.from('a\r\nb\r\n'), 2), true, false), [
      { stream: 'stdout', text: 'a' }, { stream: 'stdout', text: 'b' },
    ]);
  });

  it('parses timestamps off the front of each line', async () => {
    const raw = frame(1, '2024-01-02T03:04:05.123456789Z hello world\n2024-01-02T03:04:06Z \n');
    assert.deepEqual(await lines(chunks(raw, 5), false, true), [
      { stream: 'stdout', text: 'hello world', timestamp: '2024-01-02T03:04:05.123456789Z' },
      { stream: 'stdout', text: '', timestamp: '2024-01-02T03:04:06Z' },
    ]);
  });
});
