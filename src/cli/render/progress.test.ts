import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BerthEvent } from '../../events/events.js';
import type { GlobalOptions } from '../global-options.js';
import { createProgressRenderer, progressMode } from './progress.js';
import { TtyProgress } from './progress-tty.js';
import { recordingIo } from './test-io.js';

const globals = (progress: GlobalOptions['progress'], ansi: GlobalOptions['ansi'] = 'auto'): GlobalOptions => ({
  ansi,
  progress,
  parallel: -1,
  dryRun: false,
  compatibility: false,
  allResources: false,
});

const EVENTS: BerthEvent[] = [
  { type: 'resource', kind: 'network', name: 'p_default', status: 'Creating' },
  { type: 'resource', kind: 'network', name: 'p_default', status: 'Created', elapsedMs: 120 },
  { type: 'progress', kind: 'pull', name: 'redis:7', detail: 'Downloading', current: 10, total: 100 },
  { type: 'progress', kind: 'pull', name: 'redis:7', detail: 'Downloading', current: 50, total: 100 },
  { type: 'progress', kind: 'pull', name: 'redis:7', detail: 'Pull complete' },
  { type: 'resource', kind: 'container', name: 'p-web-1', status: 'Waiting', detail: 'p-db-1: listening on 5432' },
  { type: 'warning', message: 'Found orphan containers (p-old-1) for this project.' },
  { type: 'resource', kind: 'container', name: 'p-web-1', status: 'Error', detail: 'dependency failed to start' },
  { type: 'info', message: 'done' },
];

describe('progressMode', () => {
  it('picks rows only on a terminal that takes escape codes', () => {
    assert.equal(progressMode(globals('auto'), true), 'tty');
    assert.equal(progressMode(globals('auto'), false), 'plain');
    assert.equal(progressMode(globals('auto', 'never'), true), 'plain');
    assert.equal(progressMode(globals('tty'), false), 'tty');
    assert.equal(progressMode(globals('json'), true), 'json');
  });
});

describe('createProgressRenderer', () => {
  it('writes plain lines to stderr, one per state change', () => {
    const io = recordingIo();
    const r = createProgressRenderer(globals('auto'), io);
    for (const e of EVENTS) r.sink(e);
    r.done();
    r.done();
    assert.deepEqual(io.out, []);
    assert.equal(
      io.err.join(''),
      [
        'Network p_default  Creating',
        'Network p_default  Created',
        'Image redis:7  Downloading',
        'Image redis:7  Pull complete',
        'Container p-web-1  Waiting  p-db-1: listening on 5432',
        'warning: Found orphan containers (p-old-1) for this project.',
        'Container p-web-1  Error  dependency failed to start',
        'done',
        '',
      ].join('\n'),
    );
  });

  it('colours errors and warnings in plain mode when colour is forced', () => {
    const io = recordingIo();
    const plain = createProgressRenderer(globals('auto', 'always'), io);
    plain.sink({ type: 'resource', kind: 'container', name: 'c', status: 'Error', detail: 'x' });
    plain.sink({ type: 'warning', message: 'w' });
    assert.deepEqual(io.err, ['Container c  \u001b[31mError\u001b[39m  \u001b[31mx\u001b[39m\n', '\u001b[33mwarning\u001b[39m: w\n']);
  });

  it('writes one JSON object per event with --progress json', () => {
    const io = recordingIo();
    const r = createProgressRenderer(globals('json'), io);
    for (const e of EVENTS.slice(0, 2)) r.sink(e);
    r.done();
    assert.deepEqual(io.err, [
      '{"type":"resource","kind":"network","name":"p_default","status":"Creating"}\n',
      '{"type":"resource","kind":"network","name":"p_default","status":"Created","elapsedMs":120}\n',
    ]);
  });

  it('writes nothing with --progress quiet', () => {
    const io = recordingIo();
    const r = createProgressRenderer(globals('quiet'), io);
    for (const e of EVENTS) r.sink(e);
    r.done();
    assert.deepEqual(io.err, []);
  });

  it('draws listr2 rows on a TTY and finishes them on done()', async () => {
    const io = recordingIo({ stderrIsTTY: true });
    let now = 1000;
    const tty = new TtyProgress(io, { color: false, columns: 120 }, () => now);
    tty.handle({ type: 'resource', kind: 'container', name: 'p-web-1', status: 'Starting' });
    tty.handle({ type: 'resource', kind: 'volume', name: 'p_data', status: 'Creating' });
    tty.handle({ type: 'warning', message: 'careful' });
    // Wait for listr2's first frame (it loads its terminal modules asynchronously).
    for (let i = 0; i < 500 && !io.err.join('').includes('Volume p_data'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.match(io.err.join(''), /Container p-web-1 {2}Starting\n/);
    now = 1400;
    tty.handle({ type: 'resource', kind: 'container', name: 'p-web-1', status: 'Started' });
    tty.handle({ type: 'progress', kind: 'pull', name: 'busybox', detail: 'Downloading', current: 3, total: 4 });
    tty.done();
    tty.done();
    await tty.finished;
    const finalFrame = io.err.slice(io.err.findLastIndex((chunk) => chunk.startsWith('✔'))).join('');
    assert.equal(
      finalFrame,
      '✔ Container p-web-1  Started  0.4s\n✔ Volume p_data  Creating\n✔ Image busybox  Downloading  75%\nwarning: careful\n\u001b[?25h',
    );
  });

  it('finishes cleanly when done() comes before the first frame', () => {
    const io = recordingIo({ stderrIsTTY: true });
    const tty = new TtyProgress(io, { color: false, columns: 80 });
    tty.handle({ type: 'warning', message: 'early' });
    tty.done();
    assert.deepEqual(io.err, ['warning: early\n']);
  });
});
