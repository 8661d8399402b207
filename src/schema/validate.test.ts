import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticBag, formatDiagnostic } from '../errors/diagnostic.js';
import { parseComposeYaml } from '../loader/parse-yaml.js';
import { validateModel } from './validate.js';

/** Validates one YAML document; returns `file:line:col: path: message` lines. */
function check(yaml: string): string[] {
  const diags = new DiagnosticBag();
  const [model] = parseComposeYaml(yaml, 'compose.yaml', diags);
  assert.ok(model, 'the snippet must parse');
  assert.equal(diags.items.length, 0);
  validateModel(model, diags);
  for (const d of diags.items) {
    assert.equal(d.code, 'schema');
    assert.equal(d.severity, 'error');
  }
  return diags.sorted().map((d) => formatDiagnostic(d));
}

describe('validateModel: wrong types', () => {
  it('reports a non-boolean for a boolean attribute at the value', () => {
    assert.deepEqual(check('services:\n  web:\n    image: nginx\n    privileged: 5\n'), [
      'compose.yaml:4:17: services.web.privileged: must be a boolean',
    ]);
  });

  it('reports integers, strings and lists', () => {
    const yaml = [
      'services:',
      '  web:',
      '    image: [nginx]',
      '    scale: true',
      '    cap_add: NET_ADMIN',
      '    dns: {a: b}',
      '    healthcheck: yes-please',
    ].join('\n');
    assert.deepEqual(check(yaml), [
      'compose.yaml:3:12: services.web.image: must be a string',
      'compose.yaml:4:12: services.web.scale: must be an integer',
      'compose.yaml:5:14: services.web.cap_add: must be a list of strings',
      'compose.yaml:6:10: services.web.dns: must be a string or a list of strings',
      'compose.yaml:7:18: services.web.healthcheck: must be a mapping',
    ]);
  });

  it('describes every accepted form of a multi-form value', () => {
    const yaml = [
      'services:',
      '  web:',
      '    image: nginx',
      '    ports: [true]',
      '    command: 5',
      '    environment:',
      '      A: [1]',
      '    labels: 3',
      '    gpus: some',
    ].join('\n');
    assert.deepEqual(check(yaml), [
      'compose.yaml:4:13: services.web.ports[0]: must be a string, a number or a mapping',
      'compose.yaml:5:14: services.web.command: must be a string, a list of strings or null',
      'compose.yaml:7:10: services.web.environment.A: must be a string, a number, a boolean or null',
      'compose.yaml:8:13: services.web.labels: must be a mapping or a list of strings',
      'compose.yaml:9:11: services.web.gpus: must be "all" or a list',
    ]);
  });

  it('reports a wrong type inside a list item', () => {
    assert.deepEqual(check('services:\n  web:\n    image: x\n    cap_add:\n      - NET_ADMIN\n      - 12\n'), [
      'compose.yaml:6:9: services.web.cap_add[1]: must be a string',
    ]);
  });
});

describe('validateModel: unknown properties', () => {
  it('points at the key and suggests the closest property at top level', () => {
    assert.deepEqual(check('servics:\n  web:\n    image: x\n'), [
      'compose.yaml:1:1: servics: additional property "servics" is not allowed (did you mean "services"?)',
    ]);
  });

  it('suggests in a service', () => {
    assert.deepEqual(check('services:\n  web:\n    image: x\n    privilegd: true\n'), [
      'compose.yaml:4:5: services.web.privilegd: additional property "privilegd" is not allowed (did you mean "privileged"?)',
    ]);
  });

  it('suggests in nested objects and in long port syntax', () => {
    const yaml = [
      'services:',
      '  web:',
      '    image: x',
      '    ports:',
      '      - target: 80',
      '        publised: 8080',
      '    deploy:',
      '      resources:',
      '        limits:',
      '          memroy: 1g',
      'networks:',
      '  front:',
      '    externel: true',
    ].join('\n');
    assert.deepEqual(check(yaml), [
      'compose.yaml:6:9: services.web.ports[0].publised: additional property "publised" is not allowed (did you mean "published"?)',
      'compose.yaml:10:11: services.web.deploy.resources.limits.memroy: additional property "memroy" is not allowed (did you mean "memory"?)',
      'compose.yaml:13:5: networks.front.externel: additional property "externel" is not allowed (did you mean "external"?)',
    ]);
  });

  it('gives no suggestion when nothing is close', () => {
    assert.deepEqual(check('services:\n  web:\n    image: x\n    frobnicate: 1\n'), [
      'compose.yaml:4:5: services.web.frobnicate: additional property "frobnicate" is not allowed',
    ]);
  });

  it('allows x- extensions in objects but not unknown keys', () => {
    const yaml = 'x-common: &c {a: 1}\nservices:\n  web:\n    image: x\n    x-custom: {any: [thing]}\n    ports:\n      - {target: 80, x-note: hi}\n';
    assert.deepEqual(check(yaml), []);
  });

  it('treats x-foo as a name in user-named maps', () => {
    assert.deepEqual(check('services:\n  x-foo:\n    image: x\n    x-bar: 1\n'), []);
    assert.deepEqual(check('services:\n  web:\n    image: x\n    depends_on:\n      x-db: {condition: service_started}\n'), []);
  });

  it('rejects malformed names in user-named maps', () => {
    assert.deepEqual(check('services:\n  "bad name":\n    image: x\n'), [
      'compose.yaml:2:3: services["bad name"]: additional property "bad name" is not allowed (names must match ^[a-zA-Z0-9._-]+$)',
    ]);
  });
});

describe('validateModel: required properties and enums', () => {
  it('requires depends_on condition in the long form', () => {
    assert.deepEqual(check('services:\n  web:\n    image: x\n    depends_on:\n      db:\n        required: false\n'), [
      'compose.yaml:6:9: services.web.depends_on.db: missing property "condition"',
    ]);
  });

  it('requires watch action, extends service, and both ulimit bounds', () => {
    const yaml = [
      'services:',
      '  web:',
      '    image: x',
      '    extends: {file: base.yaml}',
      '    ulimits:',
      '      nofile: {}',
      '    develop:',
      '      watch:',
      '        - path: ./src',
    ].join('\n');
    assert.deepEqual(check(yaml), [
      'compose.yaml:4:14: services.web.extends: missing property "service"',
      'compose.yaml:6:15: services.web.ulimits.nofile: missing properties "hard" and "soft"',
      'compose.yaml:9:11: services.web.develop.watch[0]: missing property "action"',
    ]);
  });

  it('lists the allowed values of an enum', () => {
    const yaml = [
      'services:',
      '  web:',
      '    image: x',
      '    depends_on:',
      '      db: {condition: service_ready}',
      '    develop:',
      '      watch:',
      '        - {path: ., action: copy}',
      '        - {path: ., action: 3}',
    ].join('\n');
    assert.deepEqual(check(yaml), [
      'compose.yaml:5:23: services.web.depends_on.db.condition: must be one of: service_started, service_healthy, service_completed_successfully',
      'compose.yaml:8:29: services.web.develop.watch[0].action: must be one of: rebuild, sync, restart, sync+restart, sync+exec',
      'compose.yaml:9:29: services.web.develop.watch[1].action: must be one of: rebuild, sync, restart, sync+restart, sync+exec',
    ]);
  });

  it('reports bounds and duplicates', () => {
    const yaml = [
      'services:',
      '  web:',
      '    image: x',
      '    scale: -1',
      '    cap_drop: [ALL, NET_RAW, ALL]',
      '    volumes:',
      '      - type: tmpfs',
      '        target: /t',
      '        tmpfs: {size: -1}',
    ].join('\n');
    assert.deepEqual(check(yaml), [
      'compose.yaml:4:12: services.web.scale: must be greater than or equal to 0',
      'compose.yaml:5:30: services.web.cap_drop[2]: duplicate item (same as [0])',
      'compose.yaml:9:23: services.web.volumes[0].tmpfs.size: must be greater than or equal to 0',
    ]);
  });

  it('reports each bad node once and every bad node', () => {
    const yaml = 'services:\n  web:\n    image: x\n    ports: [{}, {target: 80, mode: 1, bad: 2}]\n';
    assert.deepEqual(check(yaml), [
      'compose.yaml:4:13: services.web.ports[0]: missing property "target"',
      'compose.yaml:4:36: services.web.ports[1].mode: must be a string',
      'compose.yaml:4:39: services.web.ports[1].bad: additional property "bad" is not allowed',
    ]);
  });
});
