import type { ServiceConfig } from '../model/project.js';

/**
 * The service dependency graph (depends_on, which after normalization also holds links,
 * `service:` namespace modes and volumes_from). Deterministic: nodes and edges sorted.
 */
export class DependencyGraph {
  static fromServices(_services: Readonly<Record<string, ServiceConfig>>): DependencyGraph {
    throw new Error('not implemented: DependencyGraph.fromServices');
  }
}
