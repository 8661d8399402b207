import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeProjectName, projectNameFromDirectory, validateProjectName } from './project-name.js';

describe('project names', () => {
  it('accepts lowercase letters, digits, hyphens and underscores starting with a letter or digit', () => {
    for (const ok of ['web', 'my-app', 'my_app', '1app', 'a-b_c-9']) assert.equal(validateProjectName(ok), undefined, ok);
  });

  it('rejects names given with -p that are not valid, without normalizing them', () => {
    for (const bad of ['MY_PROJECT', '-x', '_x', 'a.b', 'a b', '']) {
      assert.equal(
        validateProjectName(bad),
        `invalid project name "${bad}": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`,
      );
    }
  });

  it('normalizes name: values and directory names', () => {
    assert.equal(normalizeProjectName('UNNORMALIZED PATH'), 'unnormalizedpath');
    assert.equal(normalizeProjectName('__My.App--1'), 'myapp--1');
    assert.equal(normalizeProjectName('-_-'), '');
    assert.equal(projectNameFromDirectory('/home/me/Web Shop'), 'webshop');
  });
});
