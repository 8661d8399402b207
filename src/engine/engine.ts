/**
 * The port between berth and a container engine. Everything here is berth's own vocabulary;
 * drivers (engine/docker, engine/embedded) translate it. Durations are milliseconds, sizes
 * bytes, times ISO-8601 strings, unless a field says otherwise.
 */
import type { Readable } from 'node:stream';

export type Labels = Record<string, string>;

export interface EngineCapabilities {
  build: boolean;
  pause: boolean;
  healthcheck: boolean;
  /** `network_mode: host`. */
  hostNetwork: boolean;
  /** Published ports reachable from the host. */
  publishPorts: boolean;
  exec: boolean;
  copy: boolean;
  events: boolean;
}

export interface EngineInfo {
  /** `docker` or `embedded`. */
  name: string;
  /** Engine version (e.g. the Docker Engine version). */
  version: string;
  apiVersion?: string;
  os: string;
  arch: string;
  capabilities: EngineCapabilities;
}

// ---------------------------------------------------------------------------------------
// Containers

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
export type HealthState = 'starting' | 'healthy' | 'unhealthy';

export interface PortBinding {
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  /** Host address to bind; empty means all addresses. */
  hostIp: string;
  /** Host port or range (`"8080"`, `"8000-8010"`); empty means a random port. */
  hostPort: string;
}

export interface PublishedPort {
  containerPort: number;
  protocol: string;
  hostIp: string;
  hostPort: number;
}

export type MountSpec =
  | {
      type: 'bind';
      source: string;
      target: string;
      readOnly: boolean;
      /** Create the host path when missing (Compose's default for short syntax). */
      createHostPath: boolean;
      propagation?: string;
      selinux?: 'z' | 'Z';
    }
  | {
      type: 'volume';
      /** Engine volume name; undefined for an anonymous volume. */
      source?: string;
      target: string;
      readOnly: boolean;
      noCopy: boolean;
      subpath?: string;
    }
  | { type: 'tmpfs'; target: string; sizeBytes?: number; mode?: number; readOnly: boolean };

export interface HealthcheckSpec {
  /** `["CMD", ...]`, `["CMD-SHELL", cmd]` or `["NONE"]`. */
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
  startIntervalMs?: number;
}

export interface RestartPolicy {
  name: 'no' | 'always' | 'on-failure' | 'unless-stopped';
  maximumRetryCount?: number;
}

export interface NetworkAttachment {
  /** Engine network name. */
  network: string;
  aliases: string[];
  ipv4Address?: string;
  ipv6Address?: string;
  macAddress?: string;
  linkLocalIps?: string[];
  priority?: number;
  gwPriority?: number;
  driverOpts?: Record<string, string>;
  interfaceName?: string;
}

export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

export interface DeviceMapping {
  source: string;
  target: string;
  permissions: string;
}

/** Everything needed to create one container. */
export interface ContainerSpec {
  name: string;
  image: string;
  labels: Labels;
  /** Overrides the image entrypoint when set (an empty list clears it). */
  entrypoint?: string[];
  /** Overrides the image command when set (an empty list clears it). */
  command?: string[];
  /** `KEY=value` entries. */
  env: string[];
  workingDir?: string;
  user?: string;
  hostname?: string;
  domainname?: string;
  tty: boolean;
  stdinOpen: boolean;
  /**
   * With `stdinOpen`: the container's stdin closes when its first attached client ends its input
   * (`docker run -i`); otherwise it stays open for the next attach.
   */
  stdinOnce?: boolean;
  /** Container ports exposed without publishing (`80/tcp`). */
  exposedPorts: string[];
  ports: PortBinding[];
  mounts: MountSpec[];
  /** `bridge` | `host` | `none` | `container:<id>` | a network name (the first attachment). */
  networkMode: string;
  /** Networks to attach; the first one is attached at create time. */
  networks: NetworkAttachment[];
  links: string[];
  extraHosts: string[];
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  restartPolicy: RestartPolicy;
  healthcheck?: HealthcheckSpec;
  stopSignal?: string;
  stopTimeoutSeconds?: number;
  init: boolean;
  privileged: boolean;
  readOnlyRootfs: boolean;
  capAdd: string[];
  capDrop: string[];
  securityOpt: string[];
  sysctls: Record<string, string>;
  ulimits: Ulimit[];
  shmSizeBytes?: number;
  tmpfs: Record<string, string>;
  devices: DeviceMapping[];
  groupAdd: string[];
  ipcMode?: string;
  pidMode?: string;
  utsMode?: string;
  cgroupParent?: string;
  runtime?: string;
  userNsMode?: string;
  macAddress?: string;
  oomScoreAdj?: number;
  oomKillDisable?: boolean;
  resources: {
    memoryBytes?: number;
    memoryReservationBytes?: number;
    memorySwapBytes?: number;
    memorySwappiness?: number;
    nanoCpus?: number;
    cpuShares?: number;
    cpuPeriod?: number;
    cpuQuota?: number;
    cpusetCpus?: string;
    pidsLimit?: number;
  };
  logging?: { driver: string; options: Record<string, string> };
  /** Containers whose volumes to mount (`id[:ro|rw]`). */
  volumesFrom: string[];
  platform?: string;
  annotations?: Record<string, string>;
}

export interface ContainerSummary {
  id: string;
  /** Without a leading slash. */
  name: string;
  /** The image reference the container was created from. */
  image: string;
  /** The image id (`sha256:…`). */
  imageId: string;
  command: string;
  labels: Labels;
  state: ContainerState;
  /** Human status, e.g. `Up 3 minutes (healthy)`, `Exited (0) 2 seconds ago`. */
  status: string;
  /** Creation time, seconds since the epoch. */
  created: number;
  ports: PublishedPort[];
  /** Engine network names the container is attached to. */
  networks: string[];
  health?: HealthState;
}

export interface ContainerMount {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Volume name for volumes, host path for binds. */
  name?: string;
  source: string;
  target: string;
  readOnly: boolean;
}

export interface ContainerDetails extends ContainerSummary {
  exitCode: number;
  startedAt?: string;
  finishedAt?: string;
  restartCount: number;
  oomKilled: boolean;
  pid?: number;
  mounts: ContainerMount[];
  /** Network name → attachment (with addresses as assigned). */
  networkSettings: Record<string, { networkId: string; ipv4Address?: string; aliases: string[] }>;
  /** Environment as the container sees it (`KEY=value`). */
  env: string[];
  /** Last health probe output, when a healthcheck runs. */
  healthLog?: Array<{ exitCode: number; output: string; start: string }>;
}

export interface ListContainersOptions {
  /** Include stopped containers. */
  all: boolean;
  /** Label filters: `key` → value, or `undefined` for "label present". */
  labels: Record<string, string | undefined>;
}

export interface LogOptions {
  follow: boolean;
  /** Number of lines from the end, or undefined for all. */
  tail?: number;
  /** Seconds since the epoch. */
  since?: number;
  until?: number;
  timestamps: boolean;
  signal?: AbortSignal;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** One line without its newline. */
  text: string;
  /** RFC 3339 with nanoseconds, when asked for. */
  timestamp?: string;
}

/** A terminal's size in character cells. */
export interface TerminalSize {
  rows: number;
  cols: number;
}

/**
 * The local terminal a tty session mirrors. The engine applies its size when the session's tty
 * exists and again after every change, because only the engine knows when that is (before the
 * process starts on the embedded engine, once it runs on Docker).
 */
export interface TerminalSizeSource {
  /** The size now; undefined when it is unknown. */
  current(): TerminalSize | undefined;
  /** Calls `listener` after each change; returns the function that stops listening. */
  onChange(listener: () => void): () => void;
}

export interface ExecOptions {
  command: string[];
  env?: string[];
  user?: string;
  workingDir?: string;
  privileged?: boolean;
  tty?: boolean;
  /** Bytes to write to the process's stdin, then close it. */
  stdin?: Readable;
  /** Where output goes; collected into `ExecResult.output` when absent. */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  detach?: boolean;
  /** With `tty`: the terminal whose size the exec's tty follows. */
  terminal?: TerminalSizeSource;
}

export interface ExecResult {
  exitCode: number;
  /** Combined output when no streams were given. */
  output?: string;
}

export interface AttachOptions {
  /**
   * Forwarded to the container's stdin when it was created with `stdinOpen` (ignored otherwise,
   * as Docker does); its end closes the container's stdin. Input that arrives before the
   * container's stdin can take it is held, not lost.
   */
  stdin?: Readable;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  tty: boolean;
  /** With `tty`: the terminal whose size the container's tty follows while attached. */
  terminal?: TerminalSizeSource;
  /**
   * Called once the engine streams the container's output to this attach; start the container
   * only after it fired (like `docker run`) so none of its output is lost.
   */
  onAttached?: () => void;
}

// ---------------------------------------------------------------------------------------
// Networks, volumes, images, events

export interface NetworkSpec {
  name: string;
  driver?: string;
  driverOpts?: Record<string, string>;
  labels: Labels;
  internal: boolean;
  attachable: boolean;
  enableIpv4?: boolean;
  enableIpv6: boolean;
  ipam?: {
    driver?: string;
    config: Array<{ subnet?: string; ipRange?: string; gateway?: string; auxAddresses?: Record<string, string> }>;
    options?: Record<string, string>;
  };
}

export interface NetworkInfo {
  id: string;
  name: string;
  driver: string;
  labels: Labels;
  internal: boolean;
  /** Ids of attached containers. */
  containers: string[];
}

export interface VolumeSpec {
  name: string;
  driver?: string;
  driverOpts?: Record<string, string>;
  labels: Labels;
}

export interface VolumeInfo {
  name: string;
  driver: string;
  labels: Labels;
  mountpoint: string;
}

export interface ImageInfo {
  /** `sha256:…` */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  labels: Labels;
  created: number;
  size: number;
  config: {
    entrypoint?: string[];
    command?: string[];
    env: string[];
    workingDir?: string;
    user?: string;
    exposedPorts: string[];
    volumes: string[];
    stopSignal?: string;
    healthcheck?: HealthcheckSpec;
  };
}

/** Progress of a pull or build, streamed as it happens. */
export type ProgressEvent =
  | { kind: 'pull'; image: string; layer?: string; status: string; current?: number; total?: number }
  | { kind: 'build'; image: string; line: string }
  | { kind: 'build-step'; image: string; step: string };

export type ProgressListener = (event: ProgressEvent) => void;

export interface BuildSpec {
  /** Absolute context directory. */
  context: string;
  /** Dockerfile path relative to the context (ignored with `dockerfileInline`). */
  dockerfile: string;
  dockerfileInline?: string;
  tags: string[];
  args: Record<string, string>;
  labels: Labels;
  target?: string;
  noCache: boolean;
  pull: boolean;
  network?: string;
  extraHosts: string[];
  shmSizeBytes?: number;
  platform?: string;
}

export interface EngineEvent {
  type: 'container' | 'network' | 'volume' | 'image';
  action: string;
  id: string;
  /** Resource attributes: name, image, labels, exit code… */
  attributes: Record<string, string>;
  /** Nanoseconds since the epoch. */
  timeNano: bigint;
}

export interface EventOptions {
  labels: Record<string, string | undefined>;
  since?: number;
  until?: number;
  signal?: AbortSignal;
}

export interface TopResult {
  titles: string[];
  processes: string[][];
}

/**
 * A container engine. Every operation throws `EngineError` on failure. Names or ids are
 * accepted wherever `ref` is taken.
 */
export interface Engine {
  info(): Promise<EngineInfo>;
  close(): Promise<void>;

  listContainers(opts: ListContainersOptions): Promise<ContainerSummary[]>;
  inspectContainer(ref: string): Promise<ContainerDetails>;
  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(ref: string): Promise<void>;
  /**
   * Optional: does the work of a start that can happen before the container's dependencies
   * run, so that its startContainer later is quick. The container stays `created`: its process
   * does not run, peers cannot reach it and its ports are not published until it is started.
   * A failure here is not final: startContainer redoes the work and reports what fails.
   */
  prepareContainer?(ref: string): Promise<void>;
  /** Stops with the container's stop signal, then kills after `timeoutSeconds` (default from the container). */
  stopContainer(ref: string, timeoutSeconds?: number): Promise<void>;
  killContainer(ref: string, signal?: string): Promise<void>;
  restartContainer(ref: string, timeoutSeconds?: number): Promise<void>;
  removeContainer(ref: string, opts: { force: boolean; volumes: boolean }): Promise<void>;
  renameContainer(ref: string, name: string): Promise<void>;
  pauseContainer(ref: string): Promise<void>;
  unpauseContainer(ref: string): Promise<void>;
  /** Resolves with the exit code once the container is not running. */
  waitContainer(ref: string, signal?: AbortSignal): Promise<number>;
  logs(ref: string, opts: LogOptions): AsyncIterable<LogLine>;
  /** Resolves when the attached streams end (the container stopped after the attach was established). */
  attach(ref: string, opts: AttachOptions): Promise<void>;
  exec(ref: string, opts: ExecOptions): Promise<ExecResult>;
  /** Extracts a tar stream into the container at `path`. */
  copyTo(ref: string, path: string, tar: Readable): Promise<void>;
  /** A tar stream of `path` in the container. */
  copyFrom(ref: string, path: string): Promise<Readable>;
  top(ref: string): Promise<TopResult>;
  connectNetwork(network: string, container: string, attachment: NetworkAttachment): Promise<void>;
  disconnectNetwork(network: string, container: string, force: boolean): Promise<void>;

  listNetworks(labels: Record<string, string | undefined>): Promise<NetworkInfo[]>;
  inspectNetwork(ref: string): Promise<NetworkInfo>;
  createNetwork(spec: NetworkSpec): Promise<string>;
  removeNetwork(ref: string): Promise<void>;

  listVolumes(labels: Record<string, string | undefined>): Promise<VolumeInfo[]>;
  inspectVolume(name: string): Promise<VolumeInfo>;
  createVolume(spec: VolumeSpec): Promise<VolumeInfo>;
  removeVolume(name: string, force: boolean): Promise<void>;

  /** Undefined when the image is not present. */
  inspectImage(ref: string): Promise<ImageInfo | undefined>;
  listImages(labels?: Record<string, string | undefined>): Promise<ImageInfo[]>;
  pullImage(ref: string, opts: { platform?: string; onProgress?: ProgressListener; signal?: AbortSignal }): Promise<void>;
  buildImage(spec: BuildSpec, opts: { onProgress?: ProgressListener; signal?: AbortSignal }): Promise<string>;
  removeImage(ref: string, force: boolean): Promise<void>;
  tagImage(ref: string, tag: string): Promise<void>;

  events(opts: EventOptions): AsyncIterable<EngineEvent>;
}
