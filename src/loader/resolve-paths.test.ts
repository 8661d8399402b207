import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawMap } from './raw.js';
import { resolveModelPaths, resolveServicePaths } from './resolve-paths.js';

const BASE = '/proj';
const HOME = '/home/me';

void describe('resolveModelPaths', () => {
  void it('resolves every kind of path in short and long syntax', () => {
    const model: RawMap = {
      services: {
        a: {
          build: './app',
          env_file: '.env.a',
          label_file: ['labels.txt'],
          volumes: ['./data:/data:ro', '~/cfg:/cfg', '/abs:/abs', 'named:/n', '/anon', '../up:/up'],
          extends: { service: 'x', file: 'base.yaml' },
        },
        b: {
          build: {
            context: 'ctx/',
            additional_contexts: { img: 'docker-image://alpine', svc: 'service:a', dir: '../other', git: 'https://x/y.git' },
            ssh: ['default', 'key=~/.ssh/id'],
          },
          env_file: ['one.env', { path: 'two.env', required: false }],
          develop: { watch: [{ path: 'src', action: 'sync', target: '/app' }] },
          volumes: [
            { type: 'bind', source: 'rel', target: '/r' },
            { type: 'volume', source: 'vol', target: '/v' },
          ],
        },
        c: { build: { context: 'git@github.com:x/y.git', additional_contexts: ['x=./extra'], ssh: { k: 'id_rsa' } } },
        d: { build: 'github.com/x/y' },
      },
      secrets: { s: { file: './s.txt' }, e: { environment: 'X' } },
      configs: { c: { file: '~/c.txt' } },
      volumes: {
        bound: { driver: 'local', driver_opts: { type: 'none', o: 'bind', device: './host' } },
        other: { driver: 'local', driver_opts: { device: './keep' } },
      },
    };
    resolveModelPaths(model, BASE, HOME);
    assert.deepEqual(model, {
      services: {
        a: {
          build: '/proj/app',
          env_file: '/proj/.env.a',
          label_file: ['/proj/labels.txt'],
          volumes: ['/proj/data:/data:ro', '/home/me/cfg:/cfg', '/abs:/abs', 'named:/n', '/anon', '/up:/up'],
          extends: { service: 'x', file: '/proj/base.yaml' },
        },
        b: {
          build: {
            context: '/proj/ctx',
            additional_contexts: { img: 'docker-image://alpine', svc: 'service:a', dir: '/other', git: 'https://x/y.git' },
            ssh: ['default', 'key=/home/me/.ssh/id'],
          },
          env_file: ['/proj/one.env', { path: '/proj/two.env', required: false }],
          develop: { watch: [{ path: '/proj/src', action: 'sync', target: '/app' }] },
          volumes: [
            { type: 'bind', source: '/proj/rel', target: '/r' },
            { type: 'volume', source: 'vol', target: '/v' },
          ],
        },
        c: { build: { context: 'git@github.com:x/y.git', additional_contexts: ['x=/proj/extra'], ssh: { k: '/proj/id_rsa' } } },
        d: { build: 'github.com/x/y' },
      },
      secrets: { s: { file: '/proj/s.txt' }, e: { environment: 'X' } },
      configs: { c: { file: '/home/me/c.txt' } },
      volumes: {
        bound: { driver: 'local', driver_opts: { type: 'none', o: 'bind', device: '/proj/host' } },
        other: { driver: 'local', driver_opts: { device: './keep' } },
      },
    });
  });

  void it('resolveServicePaths works on one service against another base', () => {
    const svc: RawMap = { build: { context: '.' }, volumes: ['.:/src'] };
    resolveServicePaths(svc, '/other/dir', HOME);
    assert.deepEqual(svc, { build: { context: '/other/dir' }, volumes: ['/other/dir:/src'] });
  });

  void it('a build without context gets the project directory, but not in an extended service', () => {
    const model: RawMap = { services: { a: { build: { dockerfile: 'Dockerfile.dev' } } } };
    resolveModelPaths(model, BASE, HOME);
    assert.deepEqual(model, { services: { a: { build: { dockerfile: 'Dockerfile.dev', context: '/proj' } } } });
    const base: RawMap = { build: { target: 'dev' } };
    resolveServicePaths(base, '/other', HOME);
    assert.deepEqual(base, { build: { target: 'dev' } });
  });
});
