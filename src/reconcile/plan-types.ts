import { CommandError } from '../errors/diagnostic.js';
import type { ContainerDetails, NetworkSpec, VolumeSpec } from '../engine/engine.js';

export type RecreatePolicy = 'diverged' | 'force' | 'never';

/** What happens to one replica's container. */
export type ContainerAction = 'create' | 'recreate' | 'start' | 'keep' | 'restart' | 'remove';

export type Operation =
  | { kind: 'network'; key: string; name: string; action: 'create' | 'recreate' | 'keep' | 'remove'; cause: string; spec?: NetworkSpec; attached: string[] }
  | { kind: 'volume'; key: string; name: string; action: 'create' | 'keep' | 'remove'; cause: string; spec?: VolumeSpec }
  | { kind: 'image'; image: string; services: string[]; action: 'pull' | 'build' | 'remove'; cause: string }
  | {
      kind: 'container';
      service: string;
      /** Replica number (0 for one-offs). */
      number: number;
      /** Final container name. */
      name: string;
      action: ContainerAction;
      cause: string;
      existing?: ContainerDetails;
      /** An image op precedes this one: recreate if the image it produced differs. */
      recheckImage: boolean;
      /** For `restart`: the dependency whose recreate this container is stopped around. */
      stopBefore?: string;
      /** Recreate without inheriting anonymous volumes (`-V`). */
      renewAnonVolumes: boolean;
    };

export type ContainerOperation = Extract<Operation, { kind: 'container' }>;

const KIND_ORDER: Record<Operation['kind'], number> = { network: 0, volume: 1, image: 2, container: 3 };

function label(op: Operation, projectName: string): string {
  switch (op.kind) {
    case 'network':
      return `network ${op.name}`;
    case 'volume':
      return `volume ${op.name}`;
    case 'image':
      return `image ${op.image}`;
    case 'container': {
      const prefix = `${projectName}-`;
      return op.name.startsWith(prefix) ? op.name.slice(prefix.length) : op.name;
    }
  }
}

/** The result of planning: operations (their order is not meaningful) and warnings. */
export class Plan {
  constructor(
    readonly projectName: string,
    readonly operations: readonly Operation[],
    readonly warnings: readonly string[],
  ) {}

  containers(): ContainerOperation[] {
    return this.operations.filter((o): o is ContainerOperation => o.kind === 'container');
  }

  /** True when nothing would change. */
  isNoop(): boolean {
    return this.operations.every((o) => o.action === 'keep');
  }

  /** Stable text: networks, volumes, images, containers; sorted by name within each. One line per operation. */
  toString(): string {
    const rows = this.operations.map((op) => ({ order: KIND_ORDER[op.kind], text: `${label(op, this.projectName)}: ${op.action}, ${op.cause}` }));
    rows.sort((a, b) => a.order - b.order || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
    return rows.map((r) => `${r.text}\n`).join('');
  }
}

/** The project cannot be converged (a missing external resource, an unusable image policy). */
export class PlanError extends CommandError {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}
