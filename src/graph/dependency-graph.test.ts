import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DependsOn, ServiceConfig } from '../model/project.js';
import { DependencyCycleError, DependencyGraph } from './dependency-graph.js';

const started: DependsOn = { condition: 'service_started', required: true };

function svc(name: string, deps: string[] = []): ServiceConfig {
  return {
    name,
    image: 'alpine',
    ...(deps.length > 0 ? { depends_on: Object.fromEntries(deps.map((d) => [d, started])) } : {}),
  };
}

function services(spec: Record<string, string[]>): Record<string, ServiceConfig> {
  return Object.fromEntries(Object.entries(spec).map(([n, deps]) => [n, svc(n, deps)]));
}

void describe('DependencyGraph.fromServices', () => {
  void it('sorts nodes and edges and indexes both directions', () => {
    const g = DependencyGraph.fromServices(services({ web: ['db', 'cache'], db: [], cache: ['db'], worker: ['db'] }));
    assert.deepEqual(g.nodes, ['cache', 'db', 'web', 'worker']);
    assert.deepEqual(g.dependencies('web'), ['cache', 'db']);
    assert.deepEqual(g.dependents('db'), ['cache', 'web', 'worker']);
    assert.deepEqual(g.dependencies('db'), []);
    assert.deepEqual(g.dependents('web'), []);
    assert.deepEqual(g.dependencies('nope'), []);
  });

  void it('leaves out edges to services outside the map but remembers them', () => {
    const g = DependencyGraph.fromServices(services({ web: ['db', 'ghost', 'another'], db: [] }));
    assert.deepEqual(g.dependencies('web'), ['db']);
    assert.deepEqual(g.missingDependencies('web'), ['another', 'ghost']);
    assert.deepEqual(g.missingDependencies('db'), []);
    assert.equal(g.has('ghost'), false);
    assert.deepEqual(g.topologicalOrder(), ['db', 'web']);
  });
});

void describe('DependencyGraph.findCycle', () => {
  void it('returns undefined for an acyclic graph', () => {
    const g = DependencyGraph.fromEdges({ a: ['b', 'c'], b: ['c'], c: [] });
    assert.equal(g.findCycle(), undefined);
  });

  void it('finds a self-dependency', () => {
    assert.deepEqual(DependencyGraph.fromEdges({ a: [], b: ['b'] }).findCycle(), ['b', 'b']);
  });

  void it('reports the cycle starting at its alphabetically first member', () => {
    const g = DependencyGraph.fromEdges({ c: ['a'], a: ['b'], b: ['c'] });
    assert.deepEqual(g.findCycle(), ['a', 'b', 'c', 'a']);
    const h = DependencyGraph.fromEdges({ x: ['z'], z: ['y'], y: ['x'] });
    assert.deepEqual(h.findCycle(), ['x', 'z', 'y', 'x']);
  });

  void it('rotates a cycle not containing the DFS root', () => {
    // DFS from a reaches c -> d -> c; reported starting at c.
    const g = DependencyGraph.fromEdges({ a: ['d'], d: ['c'], c: ['d'] });
    assert.deepEqual(g.findCycle(), ['c', 'd', 'c']);
  });

  void it('is deterministic whatever the insertion order', () => {
    const one = DependencyGraph.fromEdges({ a: ['b', 'x'], b: ['a'], x: ['y'], y: ['x'] });
    const two = DependencyGraph.fromEdges({ y: ['x'], x: ['y'], b: ['a'], a: ['x', 'b'] });
    assert.deepEqual(one.findCycle(), ['a', 'b', 'a']);
    assert.deepEqual(two.findCycle(), ['a', 'b', 'a']);
  });
});

void describe('DependencyGraph.topologicalOrder', () => {
  void it('puts dependencies first and breaks ties by name', () => {
    const g = DependencyGraph.fromEdges({ web: ['api'], api: ['db', 'cache'], db: [], cache: [], zeta: [], admin: ['db'] });
    assert.deepEqual(g.topologicalOrder(), ['cache', 'db', 'admin', 'api', 'web', 'zeta']);
  });

  void it('throws DependencyCycleError with the compose message', () => {
    const g = DependencyGraph.fromEdges({ a: ['b'], b: ['a'] });
    assert.throws(() => g.topologicalOrder(), (err: unknown) => {
      assert.ok(err instanceof DependencyCycleError);
      assert.equal(err.message, 'dependency cycle detected: a -> b -> a');
      assert.deepEqual(err.cycle, ['a', 'b', 'a']);
      return true;
    });
  });
});

void describe('DependencyGraph closures', () => {
  const g = DependencyGraph.fromEdges({ web: ['api'], api: ['db'], db: [], worker: ['db', 'queue'], queue: [], lone: [] });

  void it('withDependencies follows dependencies transitively', () => {
    assert.deepEqual(g.withDependencies(['web']), ['api', 'db', 'web']);
    assert.deepEqual(g.withDependencies(['web', 'worker']), ['api', 'db', 'queue', 'web', 'worker']);
    assert.deepEqual(g.withDependencies(['lone', 'unknown']), ['lone']);
  });

  void it('withDependents follows dependents transitively', () => {
    assert.deepEqual(g.withDependents(['db']), ['api', 'db', 'web', 'worker']);
    assert.deepEqual(g.withDependents(['queue']), ['queue', 'worker']);
    assert.deepEqual(g.withDependents([]), []);
  });

  void it('terminates on cycles', () => {
    const c = DependencyGraph.fromEdges({ a: ['b'], b: ['a'], c: ['a'] });
    assert.deepEqual(c.withDependencies(['c']), ['a', 'b', 'c']);
    assert.deepEqual(c.withDependents(['a']), ['a', 'b', 'c']);
  });
});
