import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DurationError, canonicalDuration, formatGoDuration, parseGoDuration } from './go-duration.js';

void describe('Go durations', () => {
  const cases: Array<[string, string]> = [
    ['90s', '1m30s'],
    ['1m30s', '1m30s'],
    ['10s', '10s'],
    ['1h', '1h0m0s'],
    ['2m', '2m0s'],
    ['1h1m1s', '1h1m1s'],
    ['1.5s', '1.5s'],
    ['500ms', '500ms'],
    ['1500ms', '1.5s'],
    ['1.5ms', '1.5ms'],
    ['100us', '100µs'],
    ['100µs', '100µs'],
    ['42ns', '42ns'],
    ['0', '0s'],
    ['0s', '0s'],
    ['-5s', '-5s'],
    ['+5s', '5s'],
    ['1h30m', '1h30m0s'],
    ['36h', '36h0m0s'],
    ['.5s', '500ms'],
    ['1.000000001s', '1.000000001s'],
  ];
  for (const [input, out] of cases) void it(`${input} ⇒ ${out}`, () => assert.equal(canonicalDuration(input), out));

  void it('parses to nanoseconds', () => {
    assert.equal(parseGoDuration('1m30s'), 90_000_000_000n);
    assert.equal(formatGoDuration(3_723_500_000_000n), '1h2m3.5s');
  });

  const bad: Array<[string, string]> = [
    ['90', 'time: missing unit in duration "90"'],
    ['abc', 'time: invalid duration "abc"'],
    ['', 'time: invalid duration ""'],
    ['5d', 'time: unknown unit "d" in duration "5d"'],
    ['.s', 'time: invalid duration ".s"'],
  ];
  for (const [input, msg] of bad) {
    void it(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(() => parseGoDuration(input), (e: unknown) => e instanceof DurationError && e.message === msg);
    });
  }
});
