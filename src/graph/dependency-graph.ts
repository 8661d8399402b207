import { CommandError } from '../errors/diagnostic.js';
import type { ServiceConfig } from '../model/project.js';
import { insertSorted, walkGraph } from './walk.js';
import type { WalkDirection, WalkOptions } from './walk.js';

export type { WalkDirection, WalkOptions } from './walk.js';

/** Thrown (or used to reject a walk) when the graph has a dependency cycle. */
export class DependencyCycleError extends CommandError {
  readonly cycle: readonly string[];
  constructor(cycle: readonly string[]) {
    super(`dependency cycle detected: ${cycle.join(' -> ')}`);
    this.name = 'DependencyCycleError';
    this.cycle = cycle;
  }
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The service dependency graph (depends_on, which after normalization also holds links,
 * `service:` namespace modes and volumes_from). Deterministic: nodes and edges sorted.
 * Edges to services outside the map are left out of the graph but kept, see
 * `missingDependencies`.
 */
export class DependencyGraph {
  readonly nodes: readonly string[];
  readonly #deps: ReadonlyMap<string, readonly string[]>;
  readonly #dependents: ReadonlyMap<string, readonly string[]>;
  readonly #missing: ReadonlyMap<string, readonly string[]>;

  private constructor(edges: ReadonlyMap<string, readonly string[]>, missing: ReadonlyMap<string, readonly string[]>) {
    this.nodes = [...edges.keys()].sort(byName);
    const dependents = new Map<string, string[]>(this.nodes.map((n) => [n, []]));
    for (const n of this.nodes) {
      for (const d of edges.get(n) ?? []) dependents.get(d)?.push(n);
    }
    this.#deps = edges;
    this.#dependents = dependents;
    this.#missing = missing;
  }

  static fromServices(services: Readonly<Record<string, ServiceConfig>>): DependencyGraph {
    return DependencyGraph.fromEdges(
      Object.fromEntries(Object.entries(services).map(([name, s]) => [name, Object.keys(s.depends_on ?? {})])),
    );
  }

  /** Builds a graph from `node -> dependencies`; used by tests and by callers without a model. */
  static fromEdges(edges: Readonly<Record<string, readonly string[]>>): DependencyGraph {
    const known = new Set(Object.keys(edges));
    const inGraph = new Map<string, string[]>();
    const missing = new Map<string, string[]>();
    for (const [name, deps] of Object.entries(edges)) {
      const unique = [...new Set(deps)].sort(byName);
      inGraph.set(name, unique.filter((d) => known.has(d)));
      const outside = unique.filter((d) => !known.has(d));
      if (outside.length > 0) missing.set(name, outside);
    }
    return new DependencyGraph(inGraph, missing);
  }

  has(name: string): boolean {
    return this.#deps.has(name);
  }

  /** Direct dependencies of `name` that are in the graph, sorted. */
  dependencies(name: string): readonly string[] {
    return this.#deps.get(name) ?? [];
  }

  /** Services that directly depend on `name`, sorted. */
  dependents(name: string): readonly string[] {
    return this.#dependents.get(name) ?? [];
  }

  /** Dependencies of `name` on services that are not in the graph (disabled or undefined), sorted. */
  missingDependencies(name: string): readonly string[] {
    return this.#missing.get(name) ?? [];
  }

  /**
   * The first cycle met by a depth-first search that visits nodes and edges in name order,
   * rotated to start at its alphabetically first member and closed: `['a', 'b', 'a']`.
   * A self-dependency is `['a', 'a']`. Undefined when the graph is acyclic.
   */
  findCycle(): string[] | undefined {
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (n: string): string[] | undefined => {
      state.set(n, 'open');
      stack.push(n);
      for (const d of this.dependencies(n)) {
        const s = state.get(d);
        if (s === 'open') return stack.slice(stack.indexOf(d));
        if (s === undefined) {
          const found = visit(d);
          if (found !== undefined) return found;
        }
      }
      stack.pop();
      state.set(n, 'done');
      return undefined;
    };
    for (const n of this.nodes) {
      if (state.has(n)) continue;
      const cycle = visit(n);
      if (cycle !== undefined) return closeCycle(cycle);
    }
    return undefined;
  }

  /**
   * Every node, dependencies before dependents; among nodes whose dependencies are all
   * placed, the smallest name comes first. Throws `DependencyCycleError` on a cycle.
   */
  topologicalOrder(): string[] {
    const cycle = this.findCycle();
    if (cycle !== undefined) throw new DependencyCycleError(cycle);
    const remaining = new Map(this.nodes.map((n) => [n, this.dependencies(n).length]));
    const ready = this.nodes.filter((n) => remaining.get(n) === 0);
    const out: string[] = [];
    while (ready.length > 0) {
      const n = ready.shift()!;
      out.push(n);
      for (const d of this.dependents(n)) {
        const left = (remaining.get(d) ?? 0) - 1;
        remaining.set(d, left);
        if (left === 0) insertSorted(ready, d);
      }
    }
    return out;
  }

  /** `names` and everything they depend on, transitively, sorted. Unknown names are ignored. */
  withDependencies(names: Iterable<string>): string[] {
    return this.#closure(names, (n) => this.dependencies(n));
  }

  /** `names` and everything that depends on them, transitively, sorted. Unknown names are ignored. */
  withDependents(names: Iterable<string>): string[] {
    return this.#closure(names, (n) => this.dependents(n));
  }

  /**
   * Visits every node: `up` visits a node once all its dependencies' visits resolved,
   * `down` once all its dependents' visits resolved. See `walkGraph` for concurrency,
   * failure and abort semantics.
   */
  walk(direction: WalkDirection, visit: (name: string) => Promise<void>, opts: WalkOptions): Promise<void> {
    const cycle = this.findCycle();
    if (cycle !== undefined) return Promise.reject(new DependencyCycleError(cycle));
    const before = direction === 'up' ? (n: string) => this.dependencies(n) : (n: string) => this.dependents(n);
    const after = direction === 'up' ? (n: string) => this.dependents(n) : (n: string) => this.dependencies(n);
    return walkGraph(this.nodes, before, after, visit, opts);
  }

  #closure(names: Iterable<string>, next: (n: string) => readonly string[]): string[] {
    const seen = new Set<string>();
    const todo = [...names].filter((n) => this.has(n));
    while (todo.length > 0) {
      const n = todo.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      todo.push(...next(n));
    }
    return [...seen].sort(byName);
  }
}

function closeCycle(cycle: string[]): string[] {
  let start = 0;
  cycle.forEach((n, i) => {
    if (n < cycle[start]!) start = i;
  });
  const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
  return [...rotated, rotated[0]!];
}
