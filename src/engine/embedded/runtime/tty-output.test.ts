import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TtyOutputFilter } from './tty-output.js';

function run(chunks: string[]): string {
  const out: Buffer[] = [];
  const f = new TtyOutputFilter((c) => out.push(c));
  for (const c of chunks) f.write(Buffer.from(c, 'latin1'));
  f.end();
  return Buffer.concat(out).toString('latin1');
}

describe('TtyOutputFilter', () => {
  it('unwraps output crun sent through its error logger, in one piece or split anywhere', () => {
    const wrapped = '\x1b[1;31m2026-11-24T09:40:04.668038Z: /dev/pts/0\r\nerr\r\n\x1b[0m\n';
    assert.equal(run([wrapped]), '/dev/pts/0\r\nerr\r\n');
    for (let i = 1; i < wrapped.length; i++) assert.equal(run([wrapped.slice(0, i), wrapped.slice(i)]), '/dev/pts/0\r\nerr\r\n', `split at ${i}`);
  });

  it('passes any other output through unchanged, coloured output included', () => {
    assert.equal(run(['/dev/pts/0\r\n', 'err\r\n']), '/dev/pts/0\r\nerr\r\n');
    assert.equal(run(['\x1b[1;31mred text\x1b[0m\n']), '\x1b[1;31mred text\x1b[0m\n');
    assert.equal(run(['\x1b[1;3', '1m2026 is a year\n']), '\x1b[1;31m2026 is a year\n');
    assert.equal(run(['']), '');
  });
});
