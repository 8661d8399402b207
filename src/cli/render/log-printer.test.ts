import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogPrinter } from './log-printer.js';
import { recordingIo } from './test-io.js';

const line = (text: string, timestamp?: string): { stream: 'stdout'; text: string; timestamp?: string } =>
  timestamp === undefined ? { stream: 'stdout', text } : { stream: 'stdout', text, timestamp };

describe('createLogPrinter', () => {
  it('pads prefixes to the longest registered name plus one column', () => {
    const io = recordingIo();
    const p = createLogPrinter(io, { color: false, prefix: true, timestamps: false });
    p.register('web-1', 'web');
    p.register('db-1', 'db');
    p.line('db-1', 'db', line('ready'));
    p.line('web-1', 'web', line('hello'));
    assert.deepEqual(io.out, ['db-1   | ready\n', 'web-1  | hello\n']);
  });

  it('widens the prefix when a longer name appears later', () => {
    const io = recordingIo();
    const p = createLogPrinter(io, { color: false, prefix: true, timestamps: false });
    p.line('db-1', 'db', line('a'));
    p.line('worker-10', 'worker', line('b'));
    p.line('db-1', 'db', line('c'));
    assert.deepEqual(io.out, ['db-1  | a\n', 'worker-10  | b\n', 'db-1       | c\n']);
  });

  it('colours the prefix per service in registration order', () => {
    const io = recordingIo();
    const p = createLogPrinter(io, { color: true, prefix: true, timestamps: false });
    p.register('web-1', 'web');
    p.register('web-2', 'web');
    p.register('db-1', 'db');
    p.line('web-2', 'web', line('x'));
    p.line('db-1', 'db', line('y'));
    assert.deepEqual(io.out, ['\u001b[36mweb-2  |\u001b[39m x\n', '\u001b[33mdb-1   |\u001b[39m y\n']);
  });

  it('uses bright colours after the six base colours', () => {
    const io = recordingIo();
    const p = createLogPrinter(io, { color: true, prefix: true, timestamps: false });
    for (const s of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) p.register(`${s}-1`, s);
    p.line('g-1', 'g', line('z'));
    assert.deepEqual(io.out, ['\u001b[96mg-1  |\u001b[39m z\n']);
  });

  it('prints no escape codes without colour, no prefix with --no-log-prefix', () => {
    const io = recordingIo();
    const p = createLogPrinter(io, { color: false, prefix: false, timestamps: false });
    p.line('web-1', 'web', line('plain text'));
    assert.deepEqual(io.out, ['plain text\n']);
  });

  it('puts the timestamp after the prefix', () => {
    const io = recordingIo();
    const p = createLogPrinter(io, { color: false, prefix: true, timestamps: true });
    p.line('web-1', 'web', line('hi', '2024-01-02T03:04:05.123456789Z'));
    const q = createLogPrinter(io, { color: false, prefix: false, timestamps: true });
    q.line('web-1', 'web', line('ho', '2024-01-02T03:04:06.000000001Z'));
    assert.deepEqual(io.out, ['web-1  | 2024-01-02T03:04:05.123456789Z hi\n', '2024-01-02T03:04:06.000000001Z ho\n']);
  });
});
