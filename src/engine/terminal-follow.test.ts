import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { TerminalSize, TerminalSizeSource } from './engine.js';
import { followTerminal } from './terminal-follow.js';

function fakeTerminal(size: TerminalSize): { source: TerminalSizeSource; resizeTo: (s: TerminalSize) => void } {
  const events = new EventEmitter();
  let now = size;
  return {
    source: {
      current: () => now,
      onChange: (listener) => {
        events.on('change', listener);
        return () => void events.off('change', listener);
      },
    },
    resizeTo: (s) => {
      now = s;
      events.emit('change');
    },
  };
}

describe('followTerminal', () => {
  it('retries the first size until the daemon takes it (the container starts later), then follows changes', async () => {
    const term = fakeTerminal({ rows: 30, cols: 100 });
    const applied: string[] = [];
    let refusals = 3;
    const stop = followTerminal(term.source, (s) => {
      if (refusals-- > 0) return Promise.reject(new Error('container is not running'));
      applied.push(`${s.rows}x${s.cols}`);
      return Promise.resolve(true);
    });
    try {
      while (applied.length === 0) await delay(10);
      assert.deepEqual(applied, ['30x100']);
      term.resizeTo({ rows: 40, cols: 120 });
      await delay(10);
      assert.deepEqual(applied, ['30x100', '40x120']);
    } finally {
      stop();
    }
    term.resizeTo({ rows: 1, cols: 1 });
    await delay(10);
    assert.deepEqual(applied, ['30x100', '40x120'], 'nothing after stop');
  });

  it('retries while the engine answers false (no tty yet), and without `initial` applies changes only', async () => {
    const term = fakeTerminal({ rows: 24, cols: 80 });
    const applied: string[] = [];
    let misses = 2;
    const stop = followTerminal(term.source, (s) => {
      if (misses-- > 0) return Promise.resolve(false);
      applied.push(`${s.rows}x${s.cols}`);
      return Promise.resolve(true);
    });
    try {
      while (applied.length === 0) await delay(10);
      assert.deepEqual(applied, ['24x80']);
    } finally {
      stop();
    }
    const later: string[] = [];
    const stopLater = followTerminal(term.source, (s) => {
      later.push(`${s.rows}x${s.cols}`);
      return Promise.resolve(true);
    }, { initial: false });
    try {
      await delay(120);
      assert.deepEqual(later, [], 'no initial size');
      term.resizeTo({ rows: 50, cols: 132 });
      await delay(10);
      assert.deepEqual(later, ['50x132']);
    } finally {
      stopLater();
    }
  });
});
