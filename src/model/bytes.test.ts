import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ByteSizeError, parseBytes } from './bytes.js';

describe('parseBytes', () => {
  it('parses plain numbers and units', () => {
    assert.equal(parseBytes(1024), 1024);
    assert.equal(parseBytes('1024'), 1024);
    assert.equal(parseBytes('64M'), 64 * 1024 * 1024);
    assert.equal(parseBytes('2g'), 2 * 1024 ** 3);
    assert.equal(parseBytes('512kb'), 512 * 1024);
    assert.equal(parseBytes('1.5m'), 1.5 * 1024 * 1024);
    assert.equal(parseBytes('10b'), 10);
  });
  it('rejects garbage', () => {
    assert.throws(() => parseBytes('12x'), ByteSizeError);
    assert.throws(() => parseBytes(''), ByteSizeError);
  });
});
