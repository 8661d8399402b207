import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractVariables, formatSubstituteError, substitute } from './template.js';
import type { SubstituteResult } from './template.js';

const ENV: Record<string, string> = { FOO: 'first', BAR: '', B: 'bee' };
const lookup = (name: string): string | undefined => (Object.hasOwn(ENV, name) ? ENV[name] : undefined);

function value(t: string): string {
  const r = substitute(t, lookup);
  assert.ok(r.ok, `expected success for ${t}`);
  return r.value;
}

function failure(t: string): Extract<SubstituteResult, { ok: false }> {
  const r = substitute(t, lookup);
  assert.ok(!r.ok, `expected failure for ${t}`);
  return r;
}

void describe('substitute', () => {
  void it('replaces $VAR and ${VAR}, names are case-sensitive and greedy', () => {
    assert.equal(value('This $FOO var'), 'This first var');
    assert.equal(value('This ${FOO} var'), 'This first var');
    assert.equal(value('$FOO-bar'), 'first-bar');
    assert.equal(value('$FOOx'), '');
    assert.equal(value('${foo}'), '');
  });

  void it('reports unset variables once each, in order, and yields empty strings', () => {
    const r = substitute('a${MISSING}b$OTHER$MISSING', lookup);
    assert.deepEqual(r, { ok: true, value: 'ab', unset: ['MISSING', 'OTHER'] });
  });

  void it('does not report an empty but set variable as unset', () => {
    assert.deepEqual(substitute('x${BAR}y', lookup), { ok: true, value: 'xy', unset: [] });
  });

  void it('escapes $$ and keeps a $ not followed by a name or brace', () => {
    assert.equal(value('$${FOO}'), '${FOO}');
    assert.equal(value('$$FOO'), '$FOO');
    assert.equal(value('a $ string'), 'a $ string');
    assert.equal(value('^REGEX$'), '^REGEX$');
    assert.equal(value('$}'), '$}');
    assert.equal(value('$1 and $-'), '$1 and $-');
  });

  void it(':- uses the default when unset or empty, - only when unset', () => {
    assert.equal(value('ok ${missing:-def}'), 'ok def');
    assert.equal(value('ok ${missing-def}'), 'ok def');
    assert.equal(value('ok ${BAR:-def}'), 'ok def');
    assert.equal(value('ok ${BAR-def}'), 'ok ');
    assert.equal(value('ok ${FOO:-def}'), 'ok first');
    assert.equal(value('${BAR:-/non:-alphanumeric}'), '/non:-alphanumeric');
    assert.equal(value('${X:-}'), '');
  });

  void it(':+ uses the alternative when set and non-empty, + when set', () => {
    assert.equal(value('ok ${UNSET:+p}'), 'ok ');
    assert.equal(value('ok ${UNSET+p}'), 'ok ');
    assert.equal(value('ok ${FOO:+p}'), 'ok p');
    assert.equal(value('ok ${FOO+p}'), 'ok p');
    assert.equal(value('ok ${BAR+p}'), 'ok p');
    assert.equal(value('ok ${BAR:+p}'), 'ok ');
  });

  void it('operators do not warn about the variable they test', () => {
    assert.deepEqual(substitute('${U:-x}${U-y}${U:+z}${U+w}', lookup).unset, []);
  });

  void it(':? and ? require a value', () => {
    assert.equal(value('ok ${FOO:?err}'), 'ok first');
    assert.equal(value('ok ${BAR?err}'), 'ok ');
    assert.deepEqual(failure('${BAR:?must be set}').error, { kind: 'required', variable: 'BAR', reason: 'must be set' });
    assert.deepEqual(failure('${U?}').error, { kind: 'required', variable: 'U', reason: '' });
    assert.deepEqual(failure('${U?bar-baz}').error, { kind: 'required', variable: 'U', reason: 'bar-baz' });
  });

  void it('the first operator after the name wins', () => {
    assert.equal(value('${UNSET-myerror?msg}'), 'myerror?msg');
    assert.equal(value('${UNSET-b:-c}'), 'b:-c');
    assert.equal(value('${FOO?bar-baz}'), 'first');
  });

  void it('interpolates nested templates in arguments', () => {
    assert.equal(value('ok ${U-$FOO}'), 'ok first');
    assert.equal(value('ok ${U-${FOO}}'), 'ok first');
    assert.equal(value('ok ${U-${FOO} ${FOO}}'), 'ok first first');
    assert.equal(value('ok ${BAR+$FOO ${FOO:+second}}'), 'ok first second');
    assert.equal(value('${A:-${B:-x}}'), 'bee');
    assert.equal(value('${A:-${C:-x}}'), 'x');
    assert.equal(value('+ok ${UNSET:-${BAR-defaultValue}}'), '+ok ');
    assert.deepEqual(failure('${A?$FOO is needed}').error, {
      kind: 'required',
      variable: 'A',
      reason: 'first is needed',
    });
  });

  void it('matches braces by counting ${ and }', () => {
    assert.equal(value('${U:-a} and ${FOO} and ${U:-b}'), 'a and first and b');
    // A plain `{` is not counted: the first `}` closes the expression.
    assert.equal(value('${U:-{x}}'), '{x}');
  });

  void it('only evaluates the argument that is used', () => {
    assert.deepEqual(substitute('${FOO:-$NOPE}', lookup), { ok: true, value: 'first', unset: [] });
    assert.equal(value('${FOO:-${NOPE:?boom}}'), 'first');
    assert.deepEqual(substitute('${U:-$NOPE}', lookup), { ok: true, value: '', unset: ['NOPE'] });
  });

  void it('rejects invalid formats with the whole template', () => {
    for (const t of ['${', '${}', '${ }', '${ FOO}', '${FOO }', '${FOO!}', '${VAR/foo/bar}', '${VAR:x}', 'a ${1}', '${A:-x\n}']) {
      assert.deepEqual(failure(t).error, { kind: 'invalid', template: t }, t);
    }
    assert.deepEqual(failure('x ${A:-${B}').error, { kind: 'invalid', template: 'x ${A:-${B}' });
  });
});

void describe('formatSubstituteError', () => {
  void it('uses the compose-go wording', () => {
    assert.equal(
      formatSubstituteError({ kind: 'invalid', template: '${}' }, 'services.web.image'),
      'invalid interpolation format for services.web.image.\nYou may need to escape any $ with another $.\n${}',
    );
    assert.equal(
      formatSubstituteError({ kind: 'required', variable: 'X', reason: 'give X' }, 'p'),
      'required variable X is missing a value: give X',
    );
    assert.equal(formatSubstituteError({ kind: 'required', variable: 'X', reason: '' }, 'p'), 'required variable X is missing a value');
  });
});

void describe('extractVariables', () => {
  void it('lists every reference with its operator data', () => {
    assert.deepEqual(extractVariables('$docker:${project:-cli} ${r:?msg} ${p+alt} $$esc ${bad'), [
      { name: 'docker', required: false },
      { name: 'project', defaultValue: 'cli', required: false },
      { name: 'r', required: true },
      { name: 'p', presenceValue: 'alt', required: false },
    ]);
  });

  void it('includes variables nested in arguments', () => {
    assert.deepEqual(extractVariables('${A:-${B-x}}'), [
      { name: 'A', defaultValue: '${B-x}', required: false },
      { name: 'B', defaultValue: 'x', required: false },
    ]);
  });
});
