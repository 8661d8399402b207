import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandWord, expandWords, splitKeepingQuotes, SubstitutionError } from './shell-lex.js';

const vars: Record<string, string> = { A: 'a', EMPTY: '', SP: 'x y' };
const lookup = (n: string): string | undefined => vars[n];

describe('shell-lex', () => {
  it('substitutes $V, ${V} and the default/alternative forms', () => {
    assert.equal(expandWord('$A-${A}b', lookup), 'a-ab');
    assert.equal(expandWord('${MISSING:-dflt}|${EMPTY:-e}|${EMPTY-e}|${A:-x}', lookup), 'dflt|e||a');
    assert.equal(expandWord('${A:+alt}|${EMPTY:+alt}|${EMPTY+alt}|${MISSING+alt}', lookup), 'alt||alt|');
    assert.equal(expandWord('${MISSING:-${A}x}', lookup), 'ax');
    assert.equal(expandWord('$MISSING.$', lookup), '.$');
  });

  it('keeps single quotes literal, expands in double quotes, honours escapes', () => {
    assert.equal(expandWord(`'$A' "$A" \\$A "\\$A" "a\\b"`, lookup), '$A a $A $A a\\b');
    assert.equal(expandWord('`$A', lookup, '`'), '$A');
  });

  it('splits words on unquoted whitespace only', () => {
    assert.deepEqual(expandWords('one "two three" $SP "" a$A "$SP"', lookup), ['one', 'two three', 'x', 'y', '', 'aa', 'x y']);
    assert.deepEqual(expandWords('$EMPTY b', lookup), ['b']);
    assert.deepEqual(splitKeepingQuotes('a=1 b="x y" c=\'q r\' d=e\\ f'), ['a=1', 'b="x y"', "c='q r'", 'd=e\\ f']);
  });

  it('reports bad substitutions', () => {
    assert.throws(() => expandWord('${A', lookup), /missing '}'/);
    assert.throws(() => expandWord('${MISSING:?needed}', lookup), (e) => e instanceof SubstitutionError && e.message === 'MISSING: needed');
    assert.throws(() => expandWord("'open", lookup), /matching single-quote/);
  });
});
