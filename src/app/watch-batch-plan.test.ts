import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WatchRule } from '../model/project.js';
import type { FileChange } from '../watch/file-change-batch.js';
import { compilePathFilter } from '../watch/path-filter.js';
import { mergeBatches, planBatch } from './watch/batch-plan.js';
import type { RuleTarget } from './watch/watch-targets.js';

function rule(service: string, index: number, r: WatchRule): RuleTarget {
  return { service, index, rule: r, filter: compilePathFilter({ root: r.path, ignore: r.ignore ?? [], include: r.include ?? [] }) };
}

const batch = (...changes: FileChange[]): { changes: FileChange[]; firstEventAt: number; flushedAt: number } => ({ changes, firstEventAt: 1, flushedAt: 2 });
const w = (path: string): FileChange => ({ path, kind: 'write' });
const del = (path: string): FileChange => ({ path, kind: 'delete' });

const rules: RuleTarget[] = [
  rule('web', 0, { path: '/p/web/src', action: 'sync', target: '/app/src', ignore: ['*.tmp'] }),
  rule('web', 1, { path: '/p/web/package.json', action: 'rebuild' }),
  rule('api', 0, { path: '/p/api', action: 'sync+restart', target: '/srv' }),
  rule('worker', 0, { path: '/p/worker', action: 'sync+exec', target: '/w', exec: { command: ['kill', '-HUP', '1'] } }),
  rule('worker', 1, { path: '/p/worker/conf', action: 'sync+exec', target: '/etc/w', exec: { command: ['reload'] } }),
  rule('proxy', 0, { path: '/p/proxy.conf', action: 'restart' }),
];

describe('planBatch', () => {
  it('maps each service to its actions once, in rebuild/sync/restart/exec lists', () => {
    const plan = planBatch(rules, batch(w('/p/web/src/a.js'), w('/p/web/src/b/c.js'), del('/p/web/src/old.js'), w('/p/api/x.py'), w('/p/api/y.py'), w('/p/worker/conf/w.ini'), w('/p/proxy.conf')), []);
    assert.deepEqual(plan.rebuild, []);
    assert.deepEqual(plan.sync.map((s) => [s.service, s.items.map((i) => `${i.kind} ${i.hostPath} -> ${i.containerPath}`)]), [
      ['api', ['write /p/api/x.py -> /srv/x.py', 'write /p/api/y.py -> /srv/y.py']],
      ['web', ['write /p/web/src/a.js -> /app/src/a.js', 'write /p/web/src/b/c.js -> /app/src/b/c.js', 'delete /p/web/src/old.js -> /app/src/old.js']],
      ['worker', ['write /p/worker/conf/w.ini -> /etc/w/w.ini', 'write /p/worker/conf/w.ini -> /w/conf/w.ini']],
    ]);
    assert.deepEqual(plan.restart, ['api', 'proxy']);
    assert.deepEqual(plan.exec.map((e) => [e.service, e.hooks.map((h) => h.command.join(' '))]), [['worker', ['kill -HUP 1', 'reload']]]);
    assert.equal(plan.reload, false);
    assert.equal(plan.matched, 7);
  });

  it('ignores paths no rule accepts', () => {
    const plan = planBatch(rules, batch(w('/p/web/src/x.tmp'), w('/p/web/src/.x.swp'), w('/p/web/src/.git/HEAD'), w('/p/README.md')), []);
    assert.deepEqual(plan, { reload: false, rebuild: [], sync: [], restart: [], exec: [], matched: 0 });
  });

  it('rebuilds instead of restarting, and flags compose file changes for a reload', () => {
    const both = [...rules, rule('web', 2, { path: '/p/web/src', action: 'restart' })];
    const plan = planBatch(both, batch(w('/p/web/package.json'), w('/p/web/src/a.js'), w('/p/compose.yaml')), ['/p/compose.yaml', '/p/.env']);
    assert.deepEqual(plan.rebuild, ['web']);
    assert.deepEqual(plan.restart, []);
    assert.deepEqual(plan.sync.map((s) => s.service), ['web']);
    assert.equal(plan.reload, true);
  });

  it('maps a single-file rule path to its target itself', () => {
    const r = [rule('web', 0, { path: '/p/nginx.conf', action: 'sync', target: '/etc/nginx/nginx.conf' })];
    const plan = planBatch(r, batch(w('/p/nginx.conf')), []);
    assert.deepEqual(plan.sync[0]?.items.map((i) => i.containerPath), ['/etc/nginx/nginx.conf']);
  });
});

describe('mergeBatches', () => {
  it('keeps the last event of each path and the span of the batches', () => {
    const merged = mergeBatches([
      { changes: [w('/a'), w('/b')], firstEventAt: 10, flushedAt: 20 },
      { changes: [del('/a'), w('/c')], firstEventAt: 30, flushedAt: 40 },
    ]);
    assert.deepEqual(merged, { changes: [del('/a'), w('/b'), w('/c')], firstEventAt: 10, flushedAt: 40 });
  });
});
