import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDebouncer, type Timers } from './debouncer.js';
import type { FileChangeBatch } from './file-change-batch.js';

/** Time that moves only when the test says so. */
function fakeTimers(): Timers & { advance(ms: number): void } {
  let now = 1000;
  let next = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = next++;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...pending].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (due === undefined) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
  };
}

describe('createDebouncer', () => {
  it('flushes one batch after the quiet period, de-duplicated and sorted', () => {
    const timers = fakeTimers();
    const batches: FileChangeBatch[] = [];
    const d = createDebouncer({ quietMs: 50, maxWaitMs: 1000, onFlush: (b) => batches.push(b), timers });
    d.add('/p/b', 'write');
    timers.advance(30);
    d.add('/p/a', 'write');
    d.add('/p/b', 'write');
    timers.advance(49);
    assert.equal(batches.length, 0);
    timers.advance(1);
    assert.deepEqual(batches, [{ changes: [{ path: '/p/a', kind: 'write' }, { path: '/p/b', kind: 'write' }], firstEventAt: 1000, flushedAt: 1080 }]);
    assert.equal(d.pending, 0);
  });

  it('keeps the last event of a path (write then delete is a delete, delete then write a write)', () => {
    const timers = fakeTimers();
    const batches: FileChangeBatch[] = [];
    const d = createDebouncer({ quietMs: 50, maxWaitMs: 1000, onFlush: (b) => batches.push(b), timers });
    d.add('/p/x', 'write');
    d.add('/p/x', 'delete');
    d.add('/p/y', 'delete');
    d.add('/p/y', 'write');
    timers.advance(50);
    assert.deepEqual(batches[0]?.changes, [{ path: '/p/x', kind: 'delete' }, { path: '/p/y', kind: 'write' }]);
  });

  it('flushes a continuous stream of events at the max wait', () => {
    const timers = fakeTimers();
    const batches: FileChangeBatch[] = [];
    const d = createDebouncer({ quietMs: 50, maxWaitMs: 200, onFlush: (b) => batches.push(b), timers });
    for (let i = 0; i < 10; i++) {
      d.add(`/p/f${i}`, 'write');
      timers.advance(40);
    }
    // Events at 0, 40, …, 360 never leave a 50 ms gap: only the 200 ms cap flushes, at 200 and 400.
    assert.deepEqual(batches.map((b) => [b.firstEventAt, b.flushedAt]), [[1000, 1200], [1200, 1400]]);
    assert.deepEqual(batches[0]?.changes.map((c) => c.path), ['/p/f0', '/p/f1', '/p/f2', '/p/f3', '/p/f4']);
    assert.deepEqual(batches[1]?.changes.map((c) => c.path), ['/p/f5', '/p/f6', '/p/f7', '/p/f8', '/p/f9']);
  });

  it('gathers a burst of thousands of events into one batch', () => {
    const timers = fakeTimers();
    const batches: FileChangeBatch[] = [];
    const d = createDebouncer({ quietMs: 50, maxWaitMs: 1000, onFlush: (b) => batches.push(b), timers });
    for (let i = 0; i < 3000; i++) d.add(`/p/${String(i).padStart(4, '0')}`, 'write');
    timers.advance(50);
    assert.equal(batches.length, 1);
    assert.equal(batches[0]?.changes.length, 3000);
  });

  it('does nothing on flush or dispose when empty, and dispose drops pending changes', () => {
    const timers = fakeTimers();
    const batches: FileChangeBatch[] = [];
    const d = createDebouncer({ quietMs: 50, maxWaitMs: 1000, onFlush: (b) => batches.push(b), timers });
    d.flush();
    d.add('/p/a', 'write');
    d.dispose();
    timers.advance(2000);
    assert.deepEqual(batches, []);
  });
});
