/**
 * The normalized project: the canonical long form of the Compose format (compose-spec.md
 * §2.14) after interpolation, merge, extends, include, validation, path resolution and
 * profiles. Property names are the Compose file's own, so that `config` output is a
 * serialization of this model.
 */

export type Mapping = Record<string, string>;
/** `environment` after resolution: a key whose value is `null` is declared without a value. */
export type EnvMapping = Record<string, string | null>;

export interface Project {
  name: string;
  /** Absolute project directory. */
  workingDir: string;
  /** Absolute paths of the compose files, in merge order (`-` for stdin). */
  configFiles: string[];
  /** `--env-file` files given explicitly (absolute). */
  envFiles: string[];
  services: Record<string, ServiceConfig>;
  /** Services disabled by profiles, kept for dependency messages. */
  disabledServices: Record<string, ServiceConfig>;
  networks: Record<string, NetworkConfig>;
  volumes: Record<string, VolumeConfig>;
  secrets: Record<string, SecretOrConfig>;
  configs: Record<string, SecretOrConfig>;
  models: Record<string, ModelConfig>;
  /** Profiles that were active while loading. */
  profiles: string[];
  /** Interpolation environment (OS env over `.env` files). */
  environment: Mapping;
  extensions: Record<string, unknown>;
}

export interface ServicePort {
  name?: string;
  mode: string;
  host_ip?: string;
  target: number;
  /** Host port or range, always a string (`"8080"`, `"8000-9000"`); absent for a random port. */
  published?: string;
  protocol: string;
  app_protocol?: string;
}

export interface ServiceVolume {
  type: 'bind' | 'volume' | 'tmpfs' | 'image' | 'npipe' | 'cluster';
  source?: string;
  target: string;
  read_only?: boolean;
  consistency?: string;
  bind?: { propagation?: string; create_host_path?: boolean; recursive?: string; selinux?: string };
  volume?: { nocopy?: boolean; subpath?: string; labels?: Mapping };
  tmpfs?: { size?: number | string; mode?: number };
  image?: { subpath?: string };
}

export interface DependsOn {
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  required: boolean;
  restart?: boolean;
}

export interface Healthcheck {
  test?: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
  disable?: boolean;
}

export interface ServiceNetwork {
  aliases?: string[];
  ipv4_address?: string;
  ipv6_address?: string;
  link_local_ips?: string[];
  mac_address?: string;
  interface_name?: string;
  driver_opts?: Mapping;
  priority?: number;
  gw_priority?: number;
}

export interface FileReference {
  source: string;
  target?: string;
  uid?: string;
  gid?: string;
  mode?: number;
}

export interface BuildConfig {
  context: string;
  dockerfile?: string;
  dockerfile_inline?: string;
  args?: EnvMapping;
  ssh?: Record<string, string | null>;
  labels?: Mapping;
  cache_from?: string[];
  cache_to?: string[];
  no_cache?: boolean;
  additional_contexts?: Mapping;
  network?: string;
  pull?: boolean;
  target?: string;
  shm_size?: number | string;
  extra_hosts?: Record<string, string[]>;
  isolation?: string;
  privileged?: boolean;
  secrets?: FileReference[];
  tags?: string[];
  ulimits?: Record<string, Ulimit>;
  platforms?: string[];
  [extra: string]: unknown;
}

export type Ulimit = number | { soft: number; hard: number };

export interface ServiceHook {
  command: string[];
  user?: string;
  privileged?: boolean;
  working_dir?: string;
  environment?: EnvMapping;
}

export interface WatchRule {
  path: string;
  action: 'sync' | 'rebuild' | 'restart' | 'sync+restart' | 'sync+exec';
  target?: string;
  ignore?: string[];
  include?: string[];
  exec?: ServiceHook;
  initial_sync?: boolean;
}

export interface Deploy {
  mode?: string;
  replicas?: number;
  labels?: Mapping;
  resources?: {
    limits?: { cpus?: number | string; memory?: number | string; pids?: number };
    reservations?: { cpus?: number | string; memory?: number | string; devices?: unknown[] };
  };
  restart_policy?: { condition?: string; delay?: string; max_attempts?: number; window?: string };
  [extra: string]: unknown;
}

export interface ServiceConfig {
  /** Service name (the key in `services`). Not part of the serialized form. */
  name: string;
  image?: string;
  build?: BuildConfig;
  command?: string[] | null;
  entrypoint?: string[] | null;
  environment?: EnvMapping;
  env_file?: Array<{ path: string; required: boolean; format?: string }>;
  ports?: ServicePort[];
  expose?: string[];
  volumes?: ServiceVolume[];
  volumes_from?: string[];
  depends_on?: Record<string, DependsOn>;
  healthcheck?: Healthcheck;
  restart?: string;
  networks?: Record<string, ServiceNetwork | null>;
  network_mode?: string;
  container_name?: string;
  hostname?: string;
  domainname?: string;
  working_dir?: string;
  user?: string;
  labels?: Mapping;
  annotations?: Mapping;
  profiles?: string[];
  develop?: { watch?: WatchRule[] };
  extra_hosts?: Record<string, string[]>;
  tty?: boolean;
  stdin_open?: boolean;
  init?: boolean;
  stop_signal?: string;
  stop_grace_period?: string;
  pull_policy?: string;
  scale?: number;
  deploy?: Deploy;
  attach?: boolean;
  secrets?: FileReference[];
  configs?: FileReference[];
  platform?: string;
  tmpfs?: string[];
  links?: string[];
  external_links?: string[];
  cap_add?: string[];
  cap_drop?: string[];
  privileged?: boolean;
  read_only?: boolean;
  shm_size?: number | string;
  ulimits?: Record<string, Ulimit>;
  logging?: { driver?: string; options?: Record<string, string | null> };
  dns?: string[];
  dns_search?: string[];
  dns_opt?: string[];
  sysctls?: Mapping;
  devices?: Array<{ source: string; target: string; permissions: string }>;
  security_opt?: string[];
  mem_limit?: number | string;
  mem_reservation?: number | string;
  memswap_limit?: number | string;
  mem_swappiness?: number;
  cpus?: number | string;
  cpu_shares?: number;
  cpu_period?: number;
  cpu_quota?: number;
  cpuset?: string;
  pids_limit?: number;
  ipc?: string;
  pid?: string;
  uts?: string;
  cgroup?: string;
  cgroup_parent?: string;
  group_add?: string[];
  label_file?: string[];
  oom_score_adj?: number;
  oom_kill_disable?: boolean;
  runtime?: string;
  userns_mode?: string;
  mac_address?: string;
  post_start?: ServiceHook[];
  pre_stop?: ServiceHook[];
  gpus?: unknown[];
  /** Anything else the format allows (rare, platform-specific and `x-*` fields). */
  [extra: string]: unknown;
}

export interface NetworkConfig {
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  ipam?: {
    driver?: string;
    config?: Array<{ subnet?: string; ip_range?: string; gateway?: string; aux_addresses?: Mapping }>;
    options?: Mapping;
  };
  external?: boolean;
  internal?: boolean;
  enable_ipv4?: boolean;
  enable_ipv6?: boolean;
  attachable?: boolean;
  labels?: Mapping;
  [extra: string]: unknown;
}

export interface VolumeConfig {
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  external?: boolean;
  labels?: Mapping;
  [extra: string]: unknown;
}

export interface SecretOrConfig {
  name: string;
  file?: string;
  environment?: string;
  content?: string;
  external?: boolean;
  labels?: Mapping;
  driver?: string;
  driver_opts?: Mapping;
  template_driver?: string;
  [extra: string]: unknown;
}

export interface ModelConfig {
  model: string;
  name?: string;
  context_size?: number;
  runtime_flags?: string[];
  [extra: string]: unknown;
}
