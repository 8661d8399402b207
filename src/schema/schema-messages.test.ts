import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import AjvModule from 'ajv';
import type { RawValue } from '../loader/raw.js';
import { formatPath } from '../errors/diagnostic.js';
import { schemaIssues, toModelPath } from './schema-messages.js';
import { closestMatch, editDistance } from './suggest.js';

const Ajv = AjvModule.default;

/** Validates `data` against a small schema; returns `path: message` lines. */
function issues(schema: object, data: RawValue): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, inlineRefs: false });
  const validate = ajv.compile(schema);
  assert.equal(validate(data), false);
  return schemaIssues(validate.errors ?? [], data).map((i) => `${formatPath(i.path)}${i.forKey ? ' (key)' : ''}: ${i.message}`);
}

const PORT_UNION = {
  type: 'object',
  properties: {
    port: {
      anyOf: [
        { type: 'number' },
        { type: 'string' },
        { $ref: '#/definitions/long' },
      ],
    },
  },
  definitions: {
    long: {
      type: 'object',
      properties: { target: { type: 'integer', minimum: 1 }, mode: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } },
      required: ['target'],
      additionalProperties: false,
    },
  },
};

describe('schemaIssues: anyOf / oneOf collapse', () => {
  it('lists the accepted forms when no alternative has the value type', () => {
    assert.deepEqual(issues(PORT_UNION, { port: true }), ['port: must be a number, a string or a mapping']);
  });

  it('reports the errors of the only alternative of the value type', () => {
    assert.deepEqual(issues(PORT_UNION, { port: {} }), ['port: missing property "target"']);
    assert.deepEqual(issues(PORT_UNION, { port: { target: 0, mod: 'x' } }), [
      'port.mod (key): additional property "mod" is not allowed (did you mean "mode"?)',
      'port.target: must be greater than or equal to 1',
    ]);
  });

  it('collapses nested unions to one message per node', () => {
    assert.deepEqual(issues(PORT_UNION, { port: { target: 1, mode: 3 } }), ['port.mode: must be a string or a list of strings']);
  });

  it('handles oneOf the same way', () => {
    const schema = { type: 'object', properties: { a: { oneOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'integer' } }] } } };
    assert.deepEqual(issues(schema, { a: 'x' }), ['a: must be a boolean or a list of integers']);
    assert.deepEqual(issues(schema, { a: [1, 'b'] }), ['a[1]: must be an integer']);
  });
});

describe('toModelPath', () => {
  it('turns sequence indices into numbers and unescapes keys', () => {
    const root: RawValue = { services: { 'a/b~c': { ports: ['1', '2'] } } };
    assert.deepEqual(toModelPath('/services/a~1b~0c/ports/1', root), ['services', 'a/b~c', 'ports', 1]);
    assert.deepEqual(toModelPath('', root), []);
  });

  it('keeps numeric map keys as strings', () => {
    assert.deepEqual(toModelPath('/labels/0', { labels: { '0': 'x' } }), ['labels', '0']);
  });
});

describe('suggestions', () => {
  it('counts insertions, deletions, substitutions and transpositions as one edit', () => {
    assert.equal(editDistance('privilegd', 'privileged'), 1);
    assert.equal(editDistance('pirvileged', 'privileged'), 1);
    assert.equal(editDistance('imgae', 'image'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  it('suggests only close candidates', () => {
    const props = ['image', 'init', 'ipc', 'privileged', 'ports', 'pid', 'environment'];
    assert.equal(closestMatch('privilegd', props), 'privileged');
    assert.equal(closestMatch('enviroment', props), 'environment');
    assert.equal(closestMatch('Image', props), 'image');
    assert.equal(closestMatch('pdi', props), 'pid');
    assert.equal(closestMatch('ipd', props), 'ipc', 'ties go to the alphabetically first candidate');
    assert.equal(closestMatch('foo', props), undefined);
    assert.equal(closestMatch('frobnicate', props), undefined);
  });
});
