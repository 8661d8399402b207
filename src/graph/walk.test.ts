import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DependencyCycleError, DependencyGraph } from './dependency-graph.js';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}

/** A visit function whose visits stay pending until the test resolves them by name. */
function controlled(): {
  visit: (n: string) => Promise<void>;
  started: string[];
  finished: string[];
  pending: Map<string, Deferred>;
  inFlight: () => number;
  maxInFlight: () => number;
} {
  const started: string[] = [];
  const finished: string[] = [];
  const pending = new Map<string, Deferred>();
  let now = 0;
  let max = 0;
  const visit = async (n: string): Promise<void> => {
    started.push(n);
    now++;
    max = Math.max(max, now);
    const d = deferred();
    pending.set(n, d);
    try {
      await d.promise;
      finished.push(n);
    } finally {
      now--;
      pending.delete(n);
    }
  };
  return { visit, started, finished, pending, inFlight: () => now, maxInFlight: () => max };
}

const sequential = async (g: DependencyGraph, dir: 'up' | 'down'): Promise<string[]> => {
  const order: string[] = [];
  await g.walk(dir, (n) => {
    order.push(n);
    return Promise.resolve();
  }, { concurrency: 1 });
  return order;
};

void describe('DependencyGraph.walk', () => {
  const g = DependencyGraph.fromEdges({ web: ['api'], api: ['db', 'cache'], db: [], cache: [], worker: ['db'] });

  void it('up visits dependencies first; down visits dependents first', async () => {
    assert.deepEqual(await sequential(g, 'up'), ['cache', 'db', 'api', 'web', 'worker']);
    assert.deepEqual(await sequential(g, 'down'), ['web', 'api', 'cache', 'worker', 'db']);
  });

  void it('resolves at once for an empty graph', async () => {
    await DependencyGraph.fromEdges({}).walk('up', () => Promise.reject(new Error('never')), { concurrency: 0 });
  });

  void it('starts a node as soon as its own dependencies are done, not level by level', async () => {
    const h = DependencyGraph.fromEdges({ fast: [], slow: [], afterFast: ['fast'], afterBoth: ['fast', 'slow'] });
    const c = controlled();
    const done = h.walk('up', c.visit, { concurrency: 0 });
    await settle();
    assert.deepEqual(c.started, ['fast', 'slow']);
    c.pending.get('fast')!.resolve();
    await settle();
    assert.deepEqual(c.started, ['fast', 'slow', 'afterFast'], 'afterFast starts while slow is pending');
    c.pending.get('afterFast')!.resolve();
    await settle();
    assert.deepEqual(c.started, ['fast', 'slow', 'afterFast']);
    c.pending.get('slow')!.resolve();
    await settle();
    assert.deepEqual(c.started, ['fast', 'slow', 'afterFast', 'afterBoth']);
    c.pending.get('afterBoth')!.resolve();
    await done;
    assert.deepEqual(c.finished, ['fast', 'afterFast', 'slow', 'afterBoth']);
  });

  void it('never has more than `concurrency` visits in flight and starts ready nodes by name', async () => {
    const h = DependencyGraph.fromEdges({ e: [], d: [], c: [], b: [], a: [], z: ['a', 'b', 'c', 'd', 'e'] });
    const c = controlled();
    const done = h.walk('up', c.visit, { concurrency: 2 });
    await settle();
    assert.deepEqual(c.started, ['a', 'b']);
    assert.equal(c.inFlight(), 2);
    c.pending.get('b')!.resolve();
    await settle();
    assert.deepEqual(c.started, ['a', 'b', 'c']);
    c.pending.get('a')!.resolve();
    c.pending.get('c')!.resolve();
    await settle();
    assert.deepEqual(c.started, ['a', 'b', 'c', 'd', 'e']);
    assert.equal(c.inFlight(), 2);
    c.pending.get('e')!.resolve();
    await settle();
    assert.deepEqual(c.started, ['a', 'b', 'c', 'd', 'e'], 'z still waits for d');
    c.pending.get('d')!.resolve();
    await settle();
    c.pending.get('z')!.resolve();
    await done;
    assert.equal(c.maxInFlight(), 2);
  });

  void it('runs everything ready at once when concurrency is unlimited', async () => {
    for (const concurrency of [0, -1, Infinity]) {
      const h = DependencyGraph.fromEdges({ a: [], b: [], c: [], d: ['a'] });
      const c = controlled();
      const done = h.walk('up', c.visit, { concurrency });
      await settle();
      assert.deepEqual(c.started, ['a', 'b', 'c']);
      for (const n of ['a', 'b', 'c']) c.pending.get(n)!.resolve();
      await settle();
      c.pending.get('d')!.resolve();
      await done;
      assert.equal(c.maxInFlight(), 3);
    }
  });

  void it('down waits for all dependents', async () => {
    const h = DependencyGraph.fromEdges({ db: [], api: ['db'], web: ['db'] });
    const c = controlled();
    const done = h.walk('down', c.visit, { concurrency: 0 });
    await settle();
    assert.deepEqual(c.started, ['api', 'web']);
    c.pending.get('api')!.resolve();
    await settle();
    assert.deepEqual(c.started, ['api', 'web']);
    c.pending.get('web')!.resolve();
    await settle();
    assert.deepEqual(c.started, ['api', 'web', 'db']);
    c.pending.get('db')!.resolve();
    await done;
  });

  void it('on failure starts nothing new, awaits visits in flight, rejects with the first error', async () => {
    const h = DependencyGraph.fromEdges({ a: [], b: [], c: [], d: [], after: ['a'] });
    const c = controlled();
    const outcome: { error?: Error } = {};
    const failure = (): Error | undefined => outcome.error;
    const done = h.walk('up', c.visit, { concurrency: 3 }).catch((err: Error) => {
      outcome.error = err;
    });
    await settle();
    assert.deepEqual(c.started, ['a', 'b', 'c']);
    c.pending.get('a')!.reject(new Error('a failed'));
    await settle();
    assert.equal(failure(), undefined, 'walk waits for b and c');
    assert.deepEqual(c.started, ['a', 'b', 'c'], 'neither d nor after starts');
    c.pending.get('b')!.reject(new Error('b failed too'));
    c.pending.get('c')!.resolve();
    await done;
    assert.equal(failure()?.message, 'a failed');
    assert.deepEqual(c.started, ['a', 'b', 'c']);
  });

  void it('treats a visit that throws synchronously as a failure', async () => {
    const h = DependencyGraph.fromEdges({ a: [], b: ['a'] });
    const seen: string[] = [];
    await assert.rejects(
      h.walk('up', (n) => {
        seen.push(n);
        throw new Error(`boom ${n}`);
      }, { concurrency: 1 }),
      { message: 'boom a' },
    );
    assert.deepEqual(seen, ['a']);
  });

  void it('wraps a non-Error rejection', async () => {
    const h = DependencyGraph.fromEdges({ a: [] });
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    await assert.rejects(h.walk('up', () => Promise.reject('nope'), { concurrency: 1 }), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.equal(err.message, 'nope');
      assert.equal(err.cause, 'nope');
      return true;
    });
  });

  void it('rejects on a cycle without visiting anything', async () => {
    const h = DependencyGraph.fromEdges({ a: ['b'], b: ['c'], c: ['a'], d: [] });
    const seen: string[] = [];
    await assert.rejects(
      h.walk('up', (n) => {
        seen.push(n);
        return Promise.resolve();
      }, { concurrency: 0 }),
      (err: unknown) => err instanceof DependencyCycleError && err.message === 'dependency cycle detected: a -> b -> c -> a',
    );
    assert.deepEqual(seen, []);
  });

  void it('stops starting visits when aborted and rejects with the reason after in-flight visits', async () => {
    const h = DependencyGraph.fromEdges({ a: [], b: [], c: ['a'] });
    const c = controlled();
    const ac = new AbortController();
    const outcome: { error?: Error } = {};
    const failure = (): Error | undefined => outcome.error;
    const done = h.walk('up', c.visit, { concurrency: 0, signal: ac.signal }).catch((err: Error) => {
      outcome.error = err;
    });
    await settle();
    ac.abort(new Error('interrupted'));
    c.pending.get('a')!.resolve();
    await settle();
    assert.equal(failure(), undefined, 'b is still in flight');
    assert.deepEqual(c.started, ['a', 'b']);
    c.pending.get('b')!.resolve();
    await done;
    assert.equal(failure()?.message, 'interrupted');
    assert.deepEqual(c.started, ['a', 'b']);
  });

  void it('rejects at once when the signal is already aborted', async () => {
    const h = DependencyGraph.fromEdges({ a: [] });
    const seen: string[] = [];
    await assert.rejects(
      h.walk('up', (n) => {
        seen.push(n);
        return Promise.resolve();
      }, { concurrency: 0, signal: AbortSignal.abort(new Error('too late')) }),
      { message: 'too late' },
    );
    assert.deepEqual(seen, []);
  });
});
