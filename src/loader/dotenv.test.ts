import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDotEnv } from './dotenv.js';
import type { DotEnvResult } from './dotenv.js';

const F = '/p/.env';
const none = (): string | undefined => undefined;
const env =
  (rec: Record<string, string>) =>
  (name: string): string | undefined =>
    Object.hasOwn(rec, name) ? rec[name] : undefined;

function parse(text: string, lookup: (n: string) => string | undefined = none): DotEnvResult {
  return parseDotEnv(text, F, lookup);
}

function ok(text: string, lookup: (n: string) => string | undefined = none): Record<string, string> {
  const r = parse(text, lookup);
  assert.deepEqual(r.problems, [], JSON.stringify(text));
  return Object.fromEntries(r.values);
}

function one(line: string): string | undefined {
  const vals = ok(line);
  assert.equal(Object.keys(vals).length, 1, JSON.stringify(line));
  return Object.values(vals)[0];
}

void describe('parseDotEnv: statements', () => {
  void it('reads VAR=VAL, export, YAML-style and spaces around the separator', () => {
    assert.deepEqual(ok('ONE=1\nTWO=\'2\'\nTHREE = "3"\nexport FOUR=4\n\texport\tFIVE=5\nSIX: 6\nSEVEN: a=b\nEIGHT=1:B'), {
      ONE: '1',
      TWO: '2',
      THREE: '3',
      FOUR: '4',
      FIVE: '5',
      SIX: '6',
      SEVEN: 'a=b',
      EIGHT: '1:B',
    });
  });

  void it('keeps keys that only start with "export"', () => {
    assert.deepEqual(ok('exportFOO=1\nexport_BAR =2\nexport.BAZ= 3'), { exportFOO: '1', export_BAR: '2', 'export.BAZ': '3' });
  });

  void it('skips comments, blank lines, CRLF and a UTF-8 BOM', () => {
    assert.deepEqual(ok('\uFEFF# comment\n\n  \t# indented\r\nA=1\r\n\r\nB=2'), { A: '1', B: '2' });
  });

  void it('accepts letters, digits and _ . - [ ] in keys', () => {
    assert.deepEqual(ok('VAR-WITH-DASHES=d\nVAR.WITH.DOTS=o\nA[0]=x\nÉTÉ=s'), {
      'VAR-WITH-DASHES': 'd',
      'VAR.WITH.DOTS': 'o',
      'A[0]': 'x',
      ÉTÉ: 's',
    });
  });

  void it('rejects a space inside a key at the key position', () => {
    const r = parse('A=1\nMY KEY=2');
    assert.deepEqual(r.problems, [{ message: 'line 2: key cannot contain a space', location: { file: F, line: 2, col: 1 } }]);
    assert.deepEqual(Object.fromEntries(r.values), { A: '1' });
  });

  void it('rejects other characters in keys at their position', () => {
    const r = parse('\n  lol$wut');
    assert.deepEqual(r.problems, [
      { message: 'line 2: unexpected character "$" in variable name', location: { file: F, line: 2, col: 6 } },
    ]);
  });

  void it('takes a bare VAR from the lookup and omits it when not found', () => {
    assert.deepEqual(ok('FROM_OS\nNOT_FOUND\nLAST', env({ FROM_OS: 'os', LAST: 'l' })), { FROM_OS: 'os', LAST: 'l' });
  });

  void it('VAR= is the empty string', () => {
    assert.deepEqual(ok('A=\nB=  \nC='), { A: '', B: '', C: '' });
  });

  void it('later lines win', () => {
    assert.deepEqual(ok('A=1\nA=2'), { A: '2' });
  });
});

void describe('parseDotEnv: unquoted values', () => {
  void it('are right-trimmed and cut at a comment preceded by a space', () => {
    assert.equal(one('FOO=bar '), 'bar');
    assert.equal(one('FOO=bar # this is foo'), 'bar');
    assert.equal(one('FOO=bar #'), 'bar');
    assert.equal(one('FOO=123#not-a-comment'), '123#not-a-comment');
    assert.equal(one('FOO=foobar='), 'foobar=');
  });

  void it('keep backslashes', () => {
    assert.equal(one('FOO=a\\tb'), 'a\\tb');
  });

  void it('are interpolated', () => {
    assert.deepEqual(ok('FOO=test\nBAR=${FOO}bar\nBAZ=$$FOO'), { FOO: 'test', BAR: 'testbar', BAZ: '$FOO' });
  });
});

void describe('parseDotEnv: double-quoted values', () => {
  void it('expand escapes, then interpolate', () => {
    assert.equal(one('KEY="Z\\aZ\\bZ\\fZ\\nZ\\rZ\\tZ\\vZ\\\\Z\\0123Z"'), 'Z\x07Z\bZ\fZ\nZ\rZ\tZ\vZ\\ZSZ');
    assert.equal(one('FOO="escaped\\"bar"'), 'escaped"bar');
    assert.equal(one('FOO="\\"quoted\\""'), '"quoted"');
    assert.equal(one('FOO="bar\\nbaz\\\\"'), 'bar\nbaz\\');
    assert.equal(one('FOO="bar\\n\\ b\\az"'), 'bar\n\\ b\x07z');
    assert.equal(one('KEY="\\x07\\u12e4"'), '\\x07\\u12e4');
    assert.deepEqual(ok('FOO=test\nBAR="foo\\${FOO} ${FOO}"'), { FOO: 'test', BAR: 'foo${FOO} test' });
  });

  void it('may span lines and keep # and single quotes', () => {
    assert.deepEqual(ok('A="line 1\nline 2"\nB="bar#baz" # comment\nC="\'d\'"'), { A: 'line 1\nline 2', B: 'bar#baz', C: "'d'" });
  });
});

void describe('parseDotEnv: single-quoted values', () => {
  void it('are literal except for \\\' and may span lines', () => {
    assert.deepEqual(ok("A='quote $FOO'\nB='\\n'\nC='it\\'s'\nD='one\ntwo'\nE='ba#r' # c"), {
      A: 'quote $FOO',
      B: '\\n',
      C: "it's",
      D: 'one\ntwo',
      E: 'ba#r',
    });
  });
});

void describe('parseDotEnv: unterminated quotes', () => {
  void it('report the line and column of the opening quote', () => {
    for (const [text, line, col] of [
      ['A=1\nKEY="value', 2, 5],
      ['KEY= \'value\nmore', 1, 6],
      ['KEY="value\\"', 1, 5],
      ["X=1\n\nKEY='value\"", 3, 5],
    ] as const) {
      const r = parse(text);
      assert.deepEqual(r.problems, [{ message: `line ${line}: unterminated quoted value`, location: { file: F, line, col } }], text);
    }
  });
});

void describe('parseDotEnv: interpolation', () => {
  void it('sees earlier lines, but the lookup wins over them', () => {
    const text = 'OPTION_A=1\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\nOPTION_D=${OPTION_A}_${OPTION_B}';
    assert.deepEqual(ok(text), { OPTION_A: '1', OPTION_B: '1', OPTION_C: '1', OPTION_D: '1_1' });
    assert.deepEqual(ok(text, env({ OPTION_A: '5' })), { OPTION_A: '1', OPTION_B: '5', OPTION_C: '5', OPTION_D: '5_5' });
  });

  void it('consults the fallback last', () => {
    const r = parseDotEnv('A=${X}-${Y}\nX=own\nB=${X}\nC', F, env({ Y: 'os' }), { fallback: env({ X: 'prev', Y: 'p', C: 'c' }) });
    assert.deepEqual(Object.fromEntries(r.values), { A: 'prev-os', X: 'own', B: 'own', C: 'c' });
  });

  void it('warns once per unset variable at the value position', () => {
    const r = parse('A=1\nB= ${NOPE}\nC="$NOPE"');
    assert.deepEqual(Object.fromEntries(r.values), { A: '1', B: '', C: '' });
    assert.deepEqual(r.warnings, [
      {
        message: 'The "NOPE" variable is not set. Defaulting to a blank string.',
        location: { file: F, line: 2, col: 4 },
        variable: 'NOPE',
      },
    ]);
  });

  void it('reports interpolation errors and keeps parsing', () => {
    const r = parse('A=${NEED:?set it}\nB=${}\nC=ok');
    assert.deepEqual(Object.fromEntries(r.values), { C: 'ok' });
    assert.deepEqual(r.problems, [
      { message: 'line 1: required variable NEED is missing a value: set it', location: { file: F, line: 1, col: 3 } },
      {
        message: 'line 2: invalid interpolation format for B.\nYou may need to escape any $ with another $.\n${}',
        location: { file: F, line: 2, col: 3 },
      },
    ]);
  });
});

void describe('parseDotEnv: raw', () => {
  void it('takes values verbatim and bare keys from the lookup', () => {
    const r = parseDotEnv('\uFEFF# c\n  A="quoted" # not a comment \nB=$X\r\nC\nD\n\nE==', F, env({ C: 'c' }), { raw: true });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(Object.fromEntries(r.values), { A: '"quoted" # not a comment ', B: '$X', C: 'c', E: '=' });
  });

  void it('rejects whitespace in a key and a missing key', () => {
    assert.deepEqual(parseDotEnv('A=1\n MY KEY=2', F, none, { raw: true }).problems, [
      { message: "line 2: variable 'MY KEY' contains whitespaces", location: { file: F, line: 2, col: 2 } },
    ]);
    assert.deepEqual(parseDotEnv('=2', F, none, { raw: true }).problems, [
      { message: "line 1: no variable name on line '=2'", location: { file: F, line: 1, col: 1 } },
    ]);
  });
});
