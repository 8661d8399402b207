/**
 * What the embedded engine keeps on disk per container: `config.json` (the record, written at
 * create and rewritten only by rename / network connect) and `state.json` (the dynamic state,
 * rewritten atomically by every state change).
 */
import type { ContainerMount, ContainerSpec, ContainerState, HealthState, HealthcheckSpec, PublishedPort } from '../../engine.js';

export interface ContainerRecord {
  id: string;
  /** Without a leading slash. */
  name: string;
  /** ISO-8601. */
  created: string;
  image: string;
  imageId: string;
  spec: ContainerSpec;
  process: { args: string[]; env: string[]; cwd: string; user: string; tty: boolean };
  stopSignal: string;
  stopTimeoutSeconds: number;
  healthcheck?: HealthcheckSpec;
  mounts: ContainerMount[];
  layerChainIds: string[];
}

export interface HealthRecord {
  status: HealthState;
  failingStreak: number;
  log: Array<{ start: string; end: string; exitCode: number; output: string }>;
}

export interface NetworkEndpointState {
  networkId: string;
  ipv4Address?: string;
  macAddress?: string;
  aliases: string[];
}

export interface ContainerRuntimeState {
  status: ContainerState;
  pid?: number;
  conmonPid?: number;
  bootId?: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode: number;
  oomKilled: boolean;
  restartCount: number;
  stoppedByUser: boolean;
  error?: string;
  /** While `restarting`: when the next start is due (ms since the epoch). */
  restartAt?: number;
  health?: HealthRecord;
  networks: Record<string, NetworkEndpointState>;
  ports: PublishedPort[];
  /** Set while a command works on the container (create in progress, removing), for crash recovery. */
  pending?: { op: 'create' | 'remove'; pid: number };
  /**
   * A not yet started container whose start has been done up to the last step: network
   * namespace and interfaces, and the runtime container under conmon waiting to run the
   * process. Its addresses are not announced and its ports not published until the start.
   */
  prepared?: PreparedRuntime;
}

export interface PreparedRuntime {
  pid: number;
  conmonPid: number;
  bootId: string;
  /** Whether the container has an endpoint of its own to activate (bridge networks). */
  endpoint: boolean;
  /**
   * Set by a start that set the runtime up itself, just before it runs the process: a start
   * killed after that point may have run it, and the next one adopts the process instead.
   */
  startingAt?: string;
}

export interface StoredContainer {
  record: ContainerRecord;
  state: ContainerRuntimeState;
}
