import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EngineError } from '../../engine-error.js';
import { containerPaths, embeddedPaths } from '../paths.js';
import { ContainerStore } from './container-store.js';
import { matchesLabels } from './label-filter.js';
import { makeRecord, makeState, moduleUrl, randomId, runNode, withTempDir } from './state-test-fixture.js';

async function openStore(root: string): Promise<ContainerStore> {
  const store = new ContainerStore(embeddedPaths(root, join(root, 'run')));
  await store.init();
  return store;
}

function conflictMessage(name: string, id: string): string {
  return `Conflict. The container name "/${name}" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`;
}

describe('ContainerStore', () => {
  it('creates, gets and lists containers sorted by creation time then name, skipping half-written dirs', () => withTempDir('cs', async (root) => {
    const store = await openStore(root);
    const [a, b, c] = [randomId(), randomId(), randomId()];
    await store.create(makeRecord(a, 'zeta', '2026-01-01T00:00:02.000Z'), makeState());
    await store.create(makeRecord(b, 'beta', '2026-01-01T00:00:01.000Z'), makeState());
    await store.create(makeRecord(c, 'alpha', '2026-01-01T00:00:02.000Z'), makeState());
    // A create that crashed before config.json: invisible.
    const half = containerPaths(embeddedPaths(root, join(root, 'run')), randomId());
    await mkdir(half.dir, { recursive: true });
    await writeFile(half.state, JSON.stringify(makeState()));
    const list = await store.list();
    assert.deepEqual(list.map((x) => x.record.name), ['beta', 'alpha', 'zeta']);
    const got = await store.get('/zeta', 'inspect container');
    assert.equal(got.record.id, a);
    assert.equal(got.state.status, 'created');
  }));

  it('refuses a second container with the same name with Docker\'s message', () => withTempDir('cs', async (root) => {
    const store = await openStore(root);
    const first = randomId();
    await store.create(makeRecord(first, 'web'), makeState());
    await assert.rejects(store.create(makeRecord(randomId(), 'web'), makeState()), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.kind, 'conflict');
      assert.equal(err.message, conflictMessage('web', first));
      return true;
    });
    assert.equal((await store.list()).length, 1);
  }));

  it('lets exactly one of two processes racing for a name win', () => withTempDir('cs', async (root) => {
    await openStore(root);
    const script = (id: string): string => `
      import { ContainerStore } from '${moduleUrl('container-store.js')}';
      import { embeddedPaths } from '${moduleUrl('../paths.js')}';
      import { makeRecord, makeState } from '${moduleUrl('state-test-fixture.js')}';
      const store = new ContainerStore(embeddedPaths(${JSON.stringify(root)}, ${JSON.stringify(join(root, 'run'))}));
      await store.init();
      try { await store.create(makeRecord('${id}', 'race'), makeState()); console.log('won'); }
      catch (err) { console.log(err.kind); }`;
    for (let round = 0; round < 3; round++) {
      const ids = [randomId(), randomId()];
      const out = await Promise.all(ids.map((id) => runNode(script(id))));
      assert.deepEqual(out.map((o) => o.trim()).sort(), ['conflict', 'won']);
      const store = await openStore(root);
      const winner = ids[out.findIndex((o) => o.trim() === 'won')] ?? '';
      assert.deepEqual((await store.list()).map((c) => c.record.id), [winner]);
      await store.remove(winner);
    }
  }));

  it('resolves full ids, names with or without a slash, and unique prefixes; ambiguous prefixes conflict', () => withTempDir('cs', async (root) => {
    const store = await openStore(root);
    const a = `ab${'0'.repeat(62)}`;
    const b = `ac${'1'.repeat(62)}`;
    // A name that looks like the other's prefix: the name wins, like Docker.
    await store.create(makeRecord(a, 'ac'), makeState());
    await store.create(makeRecord(b, 'other'), makeState());
    assert.equal(await store.resolve(a), a);
    assert.equal(await store.resolve('ab'), a);
    assert.equal(await store.resolve('ac'), a);
    assert.equal(await store.resolve('ac1'), b);
    assert.equal(await store.resolve('/other'), b);
    assert.equal(await store.resolve('other'), b);
    assert.equal(await store.resolve('ad'), undefined);
    assert.equal(await store.resolve('nope'), undefined);
    await assert.rejects(store.resolve('a'), { name: 'EngineError', kind: 'conflict', message: 'multiple IDs found with provided prefix: a' });
    await assert.rejects(store.get('nope', 'inspect container'), { kind: 'not-found', operation: 'inspect container', message: 'No such container: nope' });
  }));

  it('renames with a conflict check and keeps the old name free afterwards', () => withTempDir('cs', async (root) => {
    const store = await openStore(root);
    const [a, b] = [randomId(), randomId()];
    await store.create(makeRecord(a, 'one'), makeState());
    await store.create(makeRecord(b, 'two'), makeState());
    await assert.rejects(store.rename(a, 'two'), { kind: 'conflict', message: conflictMessage('two', b) });
    await store.rename(a, '/three');
    assert.equal((await store.get(a, 'inspect')).record.name, 'three');
    assert.equal(await store.resolve('one'), undefined);
    await store.create(makeRecord(randomId(), 'one'), makeState());
  }));

  it('updates state atomically without lost updates from two processes', () => withTempDir('cs', async (root) => {
    const store = await openStore(root);
    const id = randomId();
    await store.create(makeRecord(id, 'counter'), makeState());
    const script = `
      import { ContainerStore } from '${moduleUrl('container-store.js')}';
      import { embeddedPaths } from '${moduleUrl('../paths.js')}';
      const store = new ContainerStore(embeddedPaths(${JSON.stringify(root)}, ${JSON.stringify(join(root, 'run'))}));
      for (let i = 0; i < 25; i++) {
        await store.update('${id}', async (s) => { await new Promise((r) => setTimeout(r, 1)); return { ...s, restartCount: s.restartCount + 1 }; });
      }`;
    await Promise.all([runNode(script), runNode(script), store.update(id, (s) => ({ ...s, restartCount: s.restartCount + 100 }))]);
    const state = await store.readState(id);
    assert.equal(state.restartCount, 150);
    // The file is the pretty JSON of the state, nothing else left beside it.
    const files = containerPaths(embeddedPaths(root, join(root, 'run')), id);
    assert.deepEqual(JSON.parse(await readFile(files.state, 'utf8')), state);
  }));

  it('update under an outer withLock with locked:true, writeRecord, and remove', () => withTempDir('cs', async (root) => {
    const store = await openStore(root);
    const id = randomId();
    await store.create(makeRecord(id, 'x'), makeState());
    const next = await store.withLock(id, () => store.update(id, (s) => ({ ...s, status: 'running', pid: 42 }), { locked: true }));
    assert.deepEqual({ status: next.status, pid: next.pid }, { status: 'running', pid: 42 });
    const rec = (await store.get(id, 'x')).record;
    await store.writeRecord({ ...rec, spec: { ...rec.spec, labels: { a: 'b' } } });
    assert.deepEqual((await store.get(id, 'x')).record.spec.labels, { a: 'b' });
    await store.remove(id);
    await assert.rejects(stat(containerPaths(embeddedPaths(root, join(root, 'run')), id).dir), { code: 'ENOENT' });
    await assert.rejects(store.readState(id), { kind: 'not-found' });
    assert.deepEqual(await store.list(), []);
  }));

  it('lists 50 containers in name order', (t) => withTempDir('cs', async (root) => {
    const store = await openStore(root);
    for (let i = 0; i < 50; i++) await store.create(makeRecord(randomId(), `c${String(i).padStart(2, '0')}`, '2026-01-01T00:00:00.000Z'), makeState());
    await store.list();
    const t0 = performance.now();
    const list = await store.list();
    const ms = performance.now() - t0;
    assert.equal(list.length, 50);
    assert.deepEqual(list.map((c) => c.record.name), Array.from({ length: 50 }, (_, i) => `c${String(i).padStart(2, '0')}`));
    // Timing is reported, never asserted.
    t.diagnostic(`list of 50: ${ms.toFixed(1)} ms`);
  }));
});

describe('matchesLabels', () => {
  it('matches values and presence', () => {
    const labels = { a: '1', b: '' };
    assert.equal(matchesLabels(labels, {}), true);
    assert.equal(matchesLabels(labels, { a: '1' }), true);
    assert.equal(matchesLabels(labels, { a: '2' }), false);
    assert.equal(matchesLabels(labels, { b: undefined }), true);
    assert.equal(matchesLabels(labels, { b: '' }), true);
    assert.equal(matchesLabels(labels, { c: undefined }), false);
    assert.equal(matchesLabels(labels, { a: '1', c: undefined }), false);
    assert.equal(matchesLabels({}, { toString: undefined }), false);
  });
});
