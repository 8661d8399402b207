import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticBag } from '../errors/diagnostic.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { collectVariables, interpolateDocument } from './interpolate.js';
import { parseComposeYaml } from './parse-yaml.js';
import type { RawMap } from './raw.js';
import { entryLocation } from './raw.js';

const F = '/p/compose.yaml';

function load(yaml: string, env: Record<string, string> = {}): { doc: RawMap; diags: Diagnostic[] } {
  const bag = new DiagnosticBag();
  const docs = parseComposeYaml(yaml, F, bag);
  assert.equal(docs.length, 1);
  assert.deepEqual(bag.items, []);
  const doc = docs[0]!;
  interpolateDocument(doc, (n) => (Object.hasOwn(env, n) ? env[n] : undefined), bag);
  return { doc, diags: [...bag.items] };
}

const at = (line: number, col: number): { file: string; line: number; col: number } => ({ file: F, line, col });

void describe('interpolateDocument', () => {
  void it('substitutes string values in maps and lists, never keys, in place', () => {
    const yaml = [
      'name: ${PROJECT:-demo}',
      'include:',
      '  - ${INC}/compose.yaml',
      'services:',
      '  ${KEY}:',
      '    image: "$IMG:${TAG-latest}"',
      '    command: [echo, $$HOME, "${IMG}"]',
      '    environment:',
      '      ${KEY}: $IMG',
      '    x-n: 5',
    ].join('\n');
    const { doc, diags } = load(yaml, { IMG: 'nginx', INC: '/inc', KEY: 'k' });
    assert.deepEqual(diags, []);
    assert.deepEqual(doc, {
      name: 'demo',
      include: ['/inc/compose.yaml'],
      services: {
        '${KEY}': {
          image: 'nginx:latest',
          command: ['echo', '$HOME', 'nginx'],
          environment: { '${KEY}': 'nginx' },
          'x-n': 5,
        },
      },
    });
    // Positions survive: the objects are the same ones the parser annotated.
    const svc = (doc.services as RawMap)['${KEY}'] as RawMap;
    assert.deepEqual(entryLocation(svc, 'image'), at(6, 12));
    assert.deepEqual(entryLocation(svc.command as object, 2), at(7, 29));
  });

  void it('warns once per unset variable, at its first use', () => {
    const yaml = 'services:\n  a:\n    image: x$NOPE\n    hostname: ${NOPE}\n    user: $OTHER\n';
    const { diags } = load(yaml);
    assert.deepEqual(diags, [
      {
        severity: 'warning',
        code: 'interpolation',
        message: 'The "NOPE" variable is not set. Defaulting to a blank string.',
        location: at(3, 12),
        path: 'services.a.image',
      },
      {
        severity: 'warning',
        code: 'interpolation',
        message: 'The "OTHER" variable is not set. Defaulting to a blank string.',
        location: at(5, 11),
        path: 'services.a.user',
      },
    ]);
  });

  void it('reports required and invalid templates at the value and leaves them unchanged', () => {
    const yaml = 'services:\n  web:\n    image: ${IMAGE:?set IMAGE}\n    ports:\n      - "${}:80"\n';
    const { doc, diags } = load(yaml);
    assert.deepEqual(diags, [
      {
        severity: 'error',
        code: 'interpolation',
        message: 'required variable IMAGE is missing a value: set IMAGE',
        location: at(3, 12),
        path: 'services.web.image',
      },
      {
        severity: 'error',
        code: 'interpolation',
        message: 'invalid interpolation format for services.web.ports[0].\nYou may need to escape any $ with another $.\n${}:80',
        location: at(5, 9),
        path: 'services.web.ports[0]',
      },
    ]);
    assert.equal(((doc.services as RawMap).web as RawMap).image, '${IMAGE:?set IMAGE}');
  });

  void it('casts typed paths, from variables or literal strings', () => {
    const yaml = [
      'services:',
      '  web:',
      '    cpus: ${CPUS}',
      '    cpu_shares: "512"',
      '    scale: $N',
      '    privileged: ${PRIV}',
      '    read_only: "FALSE"',
      '    ports:',
      '      - target: "${PORT}"',
      '        published: "${PORT}"',
      '      - "8080:80"',
      '    ulimits:',
      '      nproc: "65535"',
      '      nofile: {soft: "20000", hard: $N}',
      '    depends_on:',
      '      db: {condition: service_started, required: "false", restart: "true"}',
      '    secrets:',
      '      - {source: s, mode: "0440"}',
      '    healthcheck: {retries: "3", disable: "true"}',
      '    volumes:',
      '      - {type: volume, source: v, target: /v, read_only: "true", volume: {nocopy: "true"}}',
      '    labels: {privileged: "true"}',
      'networks:',
      '  n: {external: "true", enable_ipv6: "false"}',
      'volumes:',
      '  v: {external: "false"}',
    ].join('\n');
    const { doc, diags } = load(yaml, { CPUS: '0.5', N: '3', PRIV: 'True', PORT: '80' });
    assert.deepEqual(diags, []);
    const web = (doc.services as RawMap).web as RawMap;
    assert.equal(web.cpus, 0.5);
    assert.equal(web.cpu_shares, 512);
    assert.equal(web.scale, 3);
    assert.equal(web.privileged, true);
    assert.equal(web.read_only, false);
    assert.deepEqual(web.ports, [{ target: 80, published: '80' }, '8080:80']);
    assert.deepEqual(web.ulimits, { nproc: 65535, nofile: { soft: 20000, hard: 3 } });
    assert.deepEqual(web.depends_on, { db: { condition: 'service_started', required: false, restart: true } });
    assert.deepEqual(web.secrets, [{ source: 's', mode: 0o440 }]);
    assert.deepEqual(web.healthcheck, { retries: 3, disable: true });
    assert.deepEqual(web.volumes, [{ type: 'volume', source: 'v', target: '/v', read_only: true, volume: { nocopy: true } }]);
    assert.deepEqual(web.labels, { privileged: 'true' });
    assert.deepEqual(doc.networks, { n: { external: true, enable_ipv6: false } });
    assert.deepEqual(doc.volumes, { v: { external: false } });
  });

  void it('accepts YAML 1.1 booleans with a warning at the value', () => {
    const yaml = 'services:\n  web:\n    tty: ${TTY}\n    stdin_open: "on"\n    init: "N"\n';
    const { doc, diags } = load(yaml, { TTY: 'yes' });
    const web = (doc.services as RawMap).web as RawMap;
    assert.deepEqual([web.tty, web.stdin_open, web.init], [true, true, false]);
    assert.deepEqual(diags, [
      {
        severity: 'warning',
        code: 'interpolation',
        message: '"yes" for boolean is not supported by YAML 1.2, please use `true`',
        location: at(3, 10),
        path: 'services.web.tty',
      },
      {
        severity: 'warning',
        code: 'interpolation',
        message: '"on" for boolean is not supported by YAML 1.2, please use `true`',
        location: at(4, 17),
        path: 'services.web.stdin_open',
      },
      {
        severity: 'warning',
        code: 'interpolation',
        message: '"N" for boolean is not supported by YAML 1.2, please use `false`',
        location: at(5, 11),
        path: 'services.web.init',
      },
    ]);
  });

  void it('reports cast failures with what was expected, at the value', () => {
    const yaml = 'services:\n  web:\n    privileged: ${P}\n    scale: "2.5"\n    cpus: lots\nnetworks:\n  n:\n    external: maybe\n';
    const { doc, diags } = load(yaml, { P: 'maybe' });
    assert.deepEqual(
      diags.map((d) => [d.severity, d.message, d.path, d.location]),
      [
        ['error', 'must be a boolean (got "maybe")', 'services.web.privileged', at(3, 17)],
        ['error', 'must be an integer (got "2.5")', 'services.web.scale', at(4, 12)],
        ['error', 'must be a number (got "lots")', 'services.web.cpus', at(5, 11)],
        ['error', 'must be a boolean (got "maybe")', 'networks.n.external', at(8, 15)],
      ],
    );
    // The substituted text is kept so later stages see what the user meant.
    assert.equal(((doc.services as RawMap).web as RawMap).privileged, 'maybe');
  });

  void it('leaves non-string values and unrelated strings alone', () => {
    const { doc, diags } = load('services:\n  web:\n    privileged: true\n    scale: 2\n    image: "yes"\n');
    assert.deepEqual(diags, []);
    assert.deepEqual(doc.services, { web: { privileged: true, scale: 2, image: 'yes' } });
  });
});

void describe('collectVariables', () => {
  void it('lists every variable once, sorted, merging their uses', () => {
    const yaml = [
      'name: ${NAME:-app}',
      'services:',
      '  web:',
      '    image: "$IMAGE:${TAG:-latest}"',
      '    ports:',
      '      - target: ${PORT:?port needed}',
      '    environment:',
      '      A: ${TAG}',
      '      B: ${DEBUG:+--debug} $$ESCAPED',
      '      C: ${OUTER-${INNER}}',
    ].join('\n');
    const bag = new DiagnosticBag();
    const doc = parseComposeYaml(yaml, F, bag)[0]!;
    assert.deepEqual(collectVariables(doc), [
      { name: 'DEBUG', presenceValue: '--debug', required: false },
      { name: 'IMAGE', required: false },
      { name: 'INNER', required: false },
      { name: 'NAME', defaultValue: 'app', required: false },
      { name: 'OUTER', defaultValue: '${INNER}', required: false },
      { name: 'PORT', required: true },
      { name: 'TAG', defaultValue: 'latest', required: false },
    ]);
  });
});
