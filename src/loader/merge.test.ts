import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticBag } from '../errors/diagnostic.js';
import { parseComposeYaml } from './parse-yaml.js';
import type { RawMap, RawValue } from './raw.js';
import { entryLocation, isRawMap, keyLocation, locate, selfLocation, tagOf } from './raw.js';
import { mergeModels, mergeModelsInPlace, mergeServices } from './merge.js';

function doc(yaml: string, file = 'a.yml'): RawMap {
  const diags = new DiagnosticBag();
  const out = parseComposeYaml(yaml, file, diags);
  assert.deepEqual(diags.items, []);
  return out[0]!;
}

/** Values, positions and tags of two merge results must be the same, node by node. */
function assertSameMerge(a: RawValue | undefined, b: RawValue | undefined, path: string): void {
  assert.deepStrictEqual(a, b, `value at ${path}`);
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return;
  assert.deepStrictEqual(selfLocation(a), selfLocation(b), `position of ${path}`);
  const keys: Array<string | number> = Array.isArray(a) ? a.map((_, i) => i) : Object.keys(a);
  for (const k of keys) {
    assert.deepStrictEqual(entryLocation(a, k), entryLocation(b, k), `value position at ${path}/${k}`);
    if (typeof k === 'string') assert.deepStrictEqual(keyLocation(a, k), keyLocation(b, k), `key position at ${path}/${k}`);
    assert.equal(tagOf(a, k), tagOf(b, k), `tag at ${path}/${k}`);
    const next = (x: RawValue): RawValue | undefined => (Array.isArray(x) ? x[k as number] : (x as RawMap)[k]);
    assertSameMerge(next(a), next(b), `${path}/${k}`);
  }
}

/**
 * Merges the YAML documents in order (file names a.yml, b.yml, …) and returns the model.
 * Every merge is also done in place, as the loader does it, and must give the same model.
 */
function merge(...yamls: string[]): RawMap {
  const diags = new DiagnosticBag();
  let acc: RawMap = {};
  let inPlace: RawMap = {};
  yamls.forEach((y, i) => {
    const file = `${String.fromCharCode(97 + i)}.yml`;
    acc = mergeModels(acc, doc(y, file), diags);
    inPlace = mergeModelsInPlace(inPlace, doc(y, file), diags);
  });
  assert.deepEqual(diags.items, []);
  assertSameMerge(inPlace, acc, 'model');
  return acc;
}

function web(model: RawMap): RawMap {
  const services = model['services'];
  assert.ok(isRawMap(services));
  const s = services['web'];
  assert.ok(isRawMap(s));
  return s;
}

/** The services.web.<key> of merging `base` and `over` service bodies (YAML flow or block). */
function field(key: string, base: string, over: string): RawValue | undefined {
  return web(merge(`services:\n  web:\n    ${key}: ${base}\n`, `services:\n  web:\n    ${key}: ${over}\n`))[key];
}

void describe('mergeModels: default rule', () => {
  void it('merges mappings recursively, replaces scalars, appends sequences', () => {
    const m = merge(
      'name: one\nservices:\n  web:\n    image: a\n    security_opt: [x]\n    deploy: {resources: {limits: {cpus: "1"}}}\n',
      'name: two\nservices:\n  web:\n    image: b\n    security_opt: [x, y]\n    deploy: {resources: {limits: {memory: 1g}}}\n  db:\n    image: pg\n',
    );
    assert.equal(m['name'], 'two');
    assert.deepEqual(m['services'], {
      web: { image: 'b', security_opt: ['x', 'x', 'y'], deploy: { resources: { limits: { cpus: '1', memory: '1g' } } } },
      db: { image: 'pg' },
    });
  });

  void it('merges x- extensions and top-level resources per key', () => {
    const m = merge(
      'x-common: {a: 1, b: 2}\nvolumes:\n  data: {driver: local}\nsecrets:\n  s: {file: ./s}\n',
      'x-common: {b: 3}\nvolumes:\n  data: {driver_opts: {o: bind}}\n  other: {}\nsecrets:\n  s: {name: real}\n',
    );
    assert.deepEqual(m['x-common'], { a: 1, b: 3 });
    assert.deepEqual(m['volumes'], { data: { driver: 'local', driver_opts: { o: 'bind' } }, other: {} });
    assert.deepEqual(m['secrets'], { s: { file: './s', name: 'real' } });
  });

  void it('keeps the base when the override value is null', () => {
    assert.deepEqual(field('environment', '{A: "1"}', 'null'), { A: '1' });
    assert.equal(field('image', 'a', ''), 'a');
  });

  void it('lets the later value replace when shapes do not fit a rule', () => {
    assert.equal(field('ports', '["80:80"]', '"oops"'), 'oops');
    assert.deepEqual(field('deploy', '"bad"', '{replicas: 2}'), { replicas: 2 });
    assert.deepEqual(field('environment', '[{A: 1}]', '{B: "2"}'), { B: '2' });
  });
});

void describe('mergeModels: replaced attributes', () => {
  void it('replaces command, entrypoint and healthcheck.test', () => {
    assert.deepEqual(field('command', '[echo, foo]', '[echo, bar]'), ['echo', 'bar']);
    assert.equal(field('entrypoint', '[sh, -c]', '"bash"'), 'bash');
    assert.deepEqual(field('healthcheck', '{test: [CMD, a], interval: 5s}', '{test: [CMD, b], retries: 3}'), {
      test: ['CMD', 'b'],
      interval: '5s',
      retries: 3,
    });
  });
});

void describe('mergeModels: build', () => {
  void it('promotes a string to {context} before merging', () => {
    assert.deepEqual(field('build', '.', '{dockerfile: Dockerfile.dev}'), { context: '.', dockerfile: 'Dockerfile.dev' });
    assert.deepEqual(field('build', '{context: ./a, target: t}', './b'), { context: './b', target: 't' });
  });

  void it('merges args, labels, additional_contexts per key; tags and extra_hosts de-duplicated', () => {
    assert.deepEqual(
      field(
        'build',
        '{args: [A=1, B=2], labels: {l: x}, additional_contexts: [c=./c], tags: [t1], extra_hosts: ["h=1.1.1.1"]}',
        '{args: {B: "3", C: null}, labels: [m=y], additional_contexts: {c: ./d}, tags: [t1, t2], extra_hosts: ["h:1.1.1.1"]}',
      ),
      {
        args: { A: '1', B: '3', C: null },
        labels: { l: 'x', m: 'y' },
        additional_contexts: { c: './d' },
        tags: ['t1', 't2'],
        extra_hosts: ['h:1.1.1.1'],
      },
    );
  });
});

void describe('mergeModels: per-key mappings', () => {
  void it('merges environment list and map forms per key into a map; bare keys stay null', () => {
    assert.deepEqual(field('environment', '[A=1, B=2, C]', '{B: "x", D: null}'), { A: '1', B: 'x', C: null, D: null });
    assert.deepEqual(field('environment', '{A: "1", C: "2"}', '[C, E=]'), { A: '1', C: null, E: '' });
  });

  void it('keeps the form of a value that is only on one side', () => {
    assert.deepEqual(web(merge('services:\n  web:\n    environment: [A=1, B]\n'))['environment'], ['A=1', 'B']);
  });

  void it('merges labels, annotations, sysctls and deploy.labels per key', () => {
    assert.deepEqual(field('labels', '[a=1, b=2]', '[b=3]'), { a: '1', b: '3' });
    assert.deepEqual(field('annotations', '{a: "1"}', '[a=2]'), { a: '2' });
    assert.deepEqual(field('sysctls', '[net.core.somaxconn=1024]', '{net.ipv4.ip_forward: 1}'), {
      'net.core.somaxconn': '1024',
      'net.ipv4.ip_forward': 1,
    });
    assert.deepEqual(field('deploy', '{labels: [a=1], replicas: 1}', '{labels: {b: "2"}}'), {
      labels: { a: '1', b: '2' },
      replicas: 1,
    });
  });

  void it('merges network and volume labels per key', () => {
    const m = merge('networks:\n  n: {labels: [a=1]}\nvolumes:\n  v: {labels: {a: "1"}}\n', 'networks:\n  n: {labels: {a: "2"}}\nvolumes:\n  v: {labels: [b=2]}\n');
    assert.deepEqual(m['networks'], { n: { labels: { a: '2' } } });
    assert.deepEqual(m['volumes'], { v: { labels: { a: '1', b: '2' } } });
  });
});

void describe('mergeModels: lists with special rules', () => {
  void it('extra_hosts: both forms become a list, duplicates dropped (the later spelling kept in place)', () => {
    assert.deepEqual(field('extra_hosts', '["a:1.1.1.1", "b=2.2.2.2"]', '{a: 1.1.1.1, c: [3.3.3.3, "::1"]}'), [
      'a=1.1.1.1',
      'b=2.2.2.2',
      'c=3.3.3.3',
      'c=::1',
    ]);
  });

  void it('dns, dns_opt, dns_search, tmpfs, label_file: string promoted, appended, de-duplicated', () => {
    assert.deepEqual(field('dns', '8.8.8.8', '[1.1.1.1, 8.8.8.8]'), ['8.8.8.8', '1.1.1.1']);
    assert.deepEqual(field('dns_opt', '[a]', 'b'), ['a', 'b']);
    assert.deepEqual(field('dns_search', 'x.org', 'x.org'), ['x.org']);
    assert.deepEqual(field('tmpfs', '/run', '[/tmp, /run]'), ['/run', '/tmp']);
    assert.deepEqual(field('label_file', './a', '[./b, ./a]'), ['./a', './b']);
  });

  void it('env_file: string promoted, appended, de-duplicated by path', () => {
    assert.deepEqual(field('env_file', './a.env', '[{path: ./a.env, required: false}, ./b.env]'), [
      { path: './a.env', required: false },
      './b.env',
    ]);
  });

  void it('depends_on: list promoted to map, merged per dependency', () => {
    assert.deepEqual(field('depends_on', '[db, cache]', '{db: {condition: service_healthy}, queue: {condition: service_started}}'), {
      db: { condition: 'service_healthy', required: true },
      cache: { condition: 'service_started', required: true },
      queue: { condition: 'service_started' },
    });
  });

  void it('networks and models: list promoted to map, merged per key; aliases de-duplicated', () => {
    assert.deepEqual(field('networks', '{front: {aliases: [a], ipv4_address: 10.0.0.2}, back: null}', '[front, extra]'), {
      front: { aliases: ['a'], ipv4_address: '10.0.0.2' },
      back: null,
      extra: null,
    });
    assert.deepEqual(field('networks', '{front: {aliases: [a, b], link_local_ips: [x]}}', '{front: {aliases: [b, c], link_local_ips: [x]}}'), {
      front: { aliases: ['a', 'b', 'c'], link_local_ips: ['x'] },
    });
    assert.deepEqual(field('models', '[llm]', '{llm: {endpoint_var: URL}, emb: null}'), { llm: { endpoint_var: 'URL' }, emb: null });
  });

  void it('logging: merged with the same driver or no driver, replaced otherwise', () => {
    assert.deepEqual(field('logging', '{driver: json-file, options: {max-size: 1m}}', '{options: {max-file: "3"}}'), {
      driver: 'json-file',
      options: { 'max-size': '1m', 'max-file': '3' },
    });
    assert.deepEqual(field('logging', '{driver: json-file, options: {max-size: 1m}}', '{driver: json-file, options: {max-size: 2m}}'), {
      driver: 'json-file',
      options: { 'max-size': '2m' },
    });
    assert.deepEqual(field('logging', '{driver: json-file, options: {max-size: 1m}}', '{driver: syslog, options: {tag: x}}'), {
      driver: 'syslog',
      options: { tag: 'x' },
    });
  });

  void it('ulimits: each name replaced as a whole', () => {
    assert.deepEqual(field('ulimits', '{nofile: {soft: 10, hard: 20}, nproc: 5}', '{nofile: {soft: 30}}'), {
      nofile: { soft: 30 },
      nproc: 5,
    });
  });

  void it('networks.*.ipam.config: entries merged by subnet', () => {
    const m = merge(
      'networks:\n  n:\n    ipam:\n      driver: default\n      config: [{subnet: 10.0.0.0/24, gateway: 10.0.0.1}, {subnet: 10.1.0.0/24}]\n',
      'networks:\n  n:\n    ipam:\n      config: [{subnet: 10.0.0.0/24, ip_range: 10.0.0.0/25}, {subnet: 10.2.0.0/24}]\n',
    );
    assert.deepEqual(m['networks'], {
      n: {
        ipam: {
          driver: 'default',
          config: [
            { subnet: '10.0.0.0/24', gateway: '10.0.0.1', ip_range: '10.0.0.0/25' },
            { subnet: '10.1.0.0/24' },
            { subnet: '10.2.0.0/24' },
          ],
        },
      },
    });
  });

  void it('ports: appended, duplicates on host_ip:published:target/protocol removed', () => {
    assert.deepEqual(field('ports', '["8080:80", "127.0.0.1:9000:9000", 53/udp]', '[{target: 80, published: "8080"}, "9000:9000", "53/udp", "8080:80/udp"]'), [
      { target: 80, published: '8080' },
      '127.0.0.1:9000:9000',
      '53/udp',
      '9000:9000',
      '8080:80/udp',
    ]);
    assert.deepEqual(field('ports', '["[::1]:80:80"]', '[{target: 80, published: 80, host_ip: "::1", protocol: tcp}]'), [
      { target: 80, published: 80, host_ip: '::1', protocol: 'tcp' },
    ]);
  });

  void it('volumes and devices: unique by container target, later entry replaces in place', () => {
    assert.deepEqual(field('volumes', '["./a:/data", "logs:/logs:ro", /cache]', '[{type: volume, source: d, target: /data}, "/tmp/c:/cache"]'), [
      { type: 'volume', source: 'd', target: '/data' },
      'logs:/logs:ro',
      '/tmp/c:/cache',
    ]);
    assert.deepEqual(field('volumes', '["C:\\\\data:/data", "${SRC:-./x}:/x"]', '["D:\\\\other:/data:ro", "./y:/x"]'), [
      'D:\\other:/data:ro',
      './y:/x',
    ]);
    assert.deepEqual(field('devices', '["/dev/a:/dev/xa", /dev/b]', '["/dev/c:/dev/xa:rwm", "/dev/b:/dev/b"]'), [
      '/dev/c:/dev/xa:rwm',
      '/dev/b:/dev/b',
    ]);
  });

  void it('secrets and configs: unique by target with the short-syntax defaults', () => {
    assert.deepEqual(field('secrets', '[a, {source: b, target: /etc/b}]', '[{source: a, target: /run/secrets/a, mode: 0400}, {source: c, target: b}]'), [
      { source: 'a', target: '/run/secrets/a', mode: 256 },
      { source: 'b', target: '/etc/b' },
      { source: 'c', target: 'b' },
    ]);
    assert.deepEqual(field('configs', '[a, {source: b, target: /b}]', '[{source: a2, target: /a}, b]'), [
      { source: 'a2', target: '/a' },
      'b',
    ]);
  });

  void it('expose, cap_add, cap_drop, links, profiles: appended without exact duplicates', () => {
    for (const key of ['expose', 'cap_add', 'cap_drop', 'links', 'profiles']) {
      assert.deepEqual(field(key, '[a, b]', '[b, c, c]'), ['a', 'b', 'c'], key);
    }
  });

  void it('other lists are plain appends', () => {
    assert.deepEqual(field('group_add', '[a]', '[a]'), ['a', 'a']);
    assert.deepEqual(field('volumes_from', '[x]', '[y]'), ['x', 'y']);
  });
});

void describe('mergeModels: !reset and !override', () => {
  void it('!reset removes a key, also nested and per environment entry', () => {
    const m = merge(
      'services:\n  web:\n    image: a\n    ports: ["80:80"]\n    environment: {A: "1", B: "2"}\n    deploy: {resources: {limits: {cpus: "1"}}}\n',
      'services:\n  web:\n    ports: !reset []\n    environment:\n      A: !reset null\n    deploy: {resources: {limits: {cpus: !reset ""}}}\n',
    );
    assert.deepEqual(web(m), { image: 'a', environment: { B: '2' }, deploy: { resources: { limits: {} } } });
  });

  void it('!reset on an environment list item removes that variable', () => {
    assert.deepEqual(field('environment', '[A=1, B=2]', '[!reset A, C=3]'), { B: '2', C: '3' });
  });

  void it('!reset on a list item removes the base entries with the same identity', () => {
    assert.deepEqual(field('ports', '["80:80", "443:443"]', '[!reset "80:80", "81:81"]'), ['443:443', '81:81']);
    assert.deepEqual(field('volumes', '["./a:/data", "./b:/b"]', '[!reset "ignored:/data"]'), ['./b:/b']);
    assert.deepEqual(field('security_opt', '[a, b]', '[!reset a]'), ['b']);
  });

  void it('!override replaces the value without merge rules', () => {
    assert.deepEqual(field('ports', '["80:80"]', '!override ["81:81"]'), ['81:81']);
    assert.deepEqual(field('environment', '{A: "1"}', '!override {B: "2"}'), { B: '2' });
    assert.deepEqual(field('build', '{context: ., args: {A: "1"}}', '!override {context: ./b}'), { context: './b' });
  });

  void it('honours tags that arrive through << merge keys', () => {
    const m = merge(
      'services:\n  web:\n    image: a\n    ports: ["80:80"]\n    environment: {A: "1"}\n',
      'x-base: &base\n  ports: !reset []\n  environment: !override {B: "2"}\nservices:\n  web:\n    <<: *base\n    image: b\n',
    );
    assert.deepEqual(web(m), { image: 'b', environment: { B: '2' } });
  });

  void it('applies tags without a base: !reset keys disappear, !override values are taken', () => {
    const m = merge('services:\n  web:\n    image: a\n    ports: !reset ["80:80"]\n    environment: !override {A: "1", B: !reset x}\n    dns: [!reset 1.1.1.1, 8.8.8.8]\n');
    assert.deepEqual(web(m), { image: 'a', environment: { A: '1' }, dns: ['8.8.8.8'] });
    const env = web(m)['environment'];
    assert.ok(isRawMap(env));
    assert.equal(tagOf(web(m), 'environment'), undefined);
  });

  void it('can reset a whole service or top-level resource', () => {
    const m = merge('services:\n  web: {image: a}\n  db: {image: b}\nvolumes:\n  v: {}\n', 'services:\n  db: !reset\nvolumes: !reset {}\n');
    assert.deepEqual(m, { services: { web: { image: 'a' } } });
  });

  void it('treats tags in the base document as applied', () => {
    const diags = new DiagnosticBag();
    const out = mergeModels(doc('services:\n  web:\n    image: a\n    ports: !reset ["1:1"]\n'), doc('services:\n  web: {}\n', 'b.yml'), diags);
    assert.deepEqual(out, { services: { web: { image: 'a' } } });
  });
});

void describe('mergeModels: positions', () => {
  void it('keeps each entry at the file and line it came from', () => {
    const m = merge('services:\n  web:\n    image: a\n    ports: ["80:80"]\n', 'services:\n\n  web:\n    image: b\n    user: root\n    ports: ["81:81"]\n');
    const w = web(m);
    assert.deepEqual(entryLocation(w, 'image'), { file: 'b.yml', line: 4, col: 12 });
    assert.deepEqual(keyLocation(w, 'user'), { file: 'b.yml', line: 5, col: 5 });
    assert.deepEqual(locate(m, ['services', 'web', 'ports', 0]), { file: 'a.yml', line: 4, col: 13 });
    assert.deepEqual(locate(m, ['services', 'web', 'ports', 1]), { file: 'b.yml', line: 6, col: 13 });
  });

  void it('keeps positions of untouched base entries and of converted lists', () => {
    const m = merge('services:\n  web:\n    image: a\n    environment: [A=1]\n  db:\n    image: pg\n', 'services:\n  web:\n    environment: [B=2]\n');
    assert.deepEqual(locate(m, ['services', 'db', 'image']), { file: 'a.yml', line: 6, col: 12 });
    assert.deepEqual(locate(m, ['services', 'web', 'environment', 'A']), { file: 'a.yml', line: 4, col: 19 });
    assert.deepEqual(locate(m, ['services', 'web', 'environment', 'B']), { file: 'b.yml', line: 3, col: 19 });
  });
});

void describe('mergeServices', () => {
  void it('merges one service with the same rules', () => {
    const diags = new DiagnosticBag();
    const base = doc('image: a\nports: ["80:80"]\ncommand: [x]\n');
    const over = doc('ports: ["80:80", "81:81"]\ncommand: y\n', 'b.yml');
    assert.deepEqual(mergeServices(base, over, diags), { image: 'a', ports: ['80:80', '81:81'], command: 'y' });
  });

  void it('with keepTags keeps the override tags on the result for a later merge', () => {
    const diags = new DiagnosticBag();
    const base = doc('image: a\nports: ["80:80"]\n');
    const over = doc('ports: !override ["81:81"]\nuser: !reset x\n', 'b.yml');
    const out = mergeServices(base, over, diags, { keepTags: true });
    assert.deepEqual(out, { image: 'a', ports: ['81:81'], user: 'x' });
    assert.equal(tagOf(out, 'ports'), 'override');
    assert.equal(tagOf(out, 'user'), 'reset');
    const later = mergeModels(
      doc('services:\n  web:\n    ports: ["1:1"]\n    user: root\n'),
      { services: { web: out } },
      diags,
    );
    assert.deepEqual(later, { services: { web: { ports: ['81:81'], image: 'a' } } });
  });
});
