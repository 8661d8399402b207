import type { ContainerMount, ContainerSpec, Labels, NetworkAttachment } from '../engine/engine.js';
import { LABEL, ONEOFF_FALSE, ONEOFF_TRUE } from '../model/labels.js';
import { serviceConfigHash } from '../model/config-hash.js';
import type { Project, ServiceConfig } from '../model/project.js';
import { BERTH_VERSION } from '../version.js';
import { containerName, networkName, oneOffName, serviceImage } from './naming.js';
import { SpecError } from './spec-error.js';
import { secretsAndConfigs, serviceMounts, tmpfsOptions, type FileCopy } from './spec-mounts.js';
import { bytes, exposedPorts, healthcheckSpec, ms, portBindings, resources, restartPolicy, ulimits } from './spec-runtime.js';

export type { FileCopy } from './spec-mounts.js';

export interface SpecInput {
  project: Project;
  service: ServiceConfig;
  /** Replica number (ignored for one-offs). */
  number: number;
  /** Image id (`sha256:…`) the container runs, written to the image label. */
  imageId?: string;
  /** Id of the first container of a service, for `service:x` modes, volumes_from and links. */
  serviceContainer: (service: string) => { id: string; name: string } | undefined;
  /** The container being replaced: its compose name and mounts (for anonymous volume inheritance). */
  replaces?: { name: string; mounts: readonly ContainerMount[] };
  /** A `run` container. */
  oneOff?: { slug: string; name?: string; publishPorts: boolean; useAliases: boolean };
}

export interface ContainerPlanSpec {
  spec: ContainerSpec;
  /** Files to copy in before the first start. */
  copies: FileCopy[];
}

/** Compose labels of §4.1 for a service container (service labels first, compose labels win). */
export function containerLabels(input: SpecInput): Labels {
  const { project, service: s } = input;
  const labels: Labels = { ...(s.labels ?? {}) };
  labels[LABEL.project] = project.name;
  labels[LABEL.service] = s.name;
  labels[LABEL.version] = BERTH_VERSION;
  labels[LABEL.workingDir] = project.workingDir;
  labels[LABEL.configFiles] = project.configFiles.join(',');
  if (project.envFiles.length > 0) labels[LABEL.environmentFile] = project.envFiles.join(',');
  labels[LABEL.configHash] = serviceConfigHash(s);
  labels[LABEL.dependsOn] = Object.keys(s.depends_on ?? {})
    .sort()
    .map((d) => {
      const dep = s.depends_on![d]!;
      return `${d}:${dep.condition}:${String(dep.restart ?? false)}`;
    })
    .join(',');
  if (input.imageId !== undefined) labels[LABEL.image] = input.imageId;
  if (input.oneOff !== undefined) {
    labels[LABEL.oneoff] = ONEOFF_TRUE;
    labels[LABEL.slug] = input.oneOff.slug;
  } else {
    labels[LABEL.oneoff] = ONEOFF_FALSE;
    labels[LABEL.containerNumber] = String(input.number);
  }
  if (input.replaces !== undefined) labels[LABEL.replace] = input.replaces.name;
  return labels;
}

function refMode(s: ServiceConfig, field: string, value: string | undefined, input: SpecInput): string | undefined {
  if (value === undefined || !value.startsWith('service:')) return value;
  const target = value.slice('service:'.length);
  const c = input.serviceContainer(target);
  if (c === undefined) throw new SpecError(`service "${s.name}": ${field} refers to service "${target}", which has no container`);
  return `container:${c.id}`;
}

function networks(input: SpecInput): { mode: string; attachments: NetworkAttachment[] } {
  const { project, service: s } = input;
  if (s.network_mode !== undefined) return { mode: refMode(s, 'network_mode', s.network_mode, input)!, attachments: [] };
  const entries = Object.entries(s.networks ?? {}).sort(([a, x], [b, y]) => (y?.priority ?? 0) - (x?.priority ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
  const attachments = entries.map(([key, n]) => {
    const aliases = input.oneOff === undefined || input.oneOff.useAliases ? [s.name, ...(n?.aliases ?? [])] : [];
    const a: NetworkAttachment = { network: networkName(project, key), aliases: [...new Set(aliases)] };
    if (n?.ipv4_address !== undefined) a.ipv4Address = n.ipv4_address;
    if (n?.ipv6_address !== undefined) a.ipv6Address = n.ipv6_address;
    if (n?.mac_address !== undefined) a.macAddress = n.mac_address;
    if (n?.link_local_ips !== undefined) a.linkLocalIps = n.link_local_ips;
    if (n?.priority !== undefined) a.priority = n.priority;
    if (n?.gw_priority !== undefined) a.gwPriority = n.gw_priority;
    if (n?.driver_opts !== undefined) a.driverOpts = n.driver_opts;
    if (n?.interface_name !== undefined) a.interfaceName = n.interface_name;
    return a;
  });
  return { mode: attachments[0]?.network ?? 'bridge', attachments };
}

function links(input: SpecInput): string[] {
  const out: string[] = [];
  for (const l of input.service.links ?? []) {
    const [svc = '', alias] = l.split(':');
    const c = input.serviceContainer(svc);
    if (c !== undefined) out.push(`${c.name}:${alias ?? svc}`);
  }
  for (const l of input.service.external_links ?? []) {
    const [name = '', alias] = l.split(':');
    out.push(`${name}:${alias ?? name}`);
  }
  return out;
}

function volumesFrom(input: SpecInput): string[] {
  return (input.service.volumes_from ?? []).map((v) => {
    if (v.startsWith('container:')) return v.slice('container:'.length);
    const [svc = '', mode] = v.split(':');
    const c = input.serviceContainer(svc);
    if (c === undefined) throw new SpecError(`service "${input.service.name}": volumes_from refers to service "${svc}", which has no container`);
    return mode !== undefined ? `${c.id}:${mode}` : c.id;
  });
}

function env(s: ServiceConfig): string[] {
  const e = s.environment ?? {};
  return Object.keys(e)
    .sort()
    .flatMap((k) => (e[k] === null || e[k] === undefined ? [] : [`${k}=${e[k]}`]));
}

/** The container for one replica (or a one-off) of a service. */
export function buildContainerSpec(input: SpecInput): ContainerPlanSpec {
  const { project, service: s } = input;
  const oneOff = input.oneOff;
  const name = oneOff !== undefined ? (oneOff.name ?? oneOffName(project.name, s.name, oneOff.slug)) : containerName(project.name, s, input.number);
  const net = networks(input);
  const secrets = secretsAndConfigs(project, s);
  const grace = ms(s.name, 'stop_grace_period', s.stop_grace_period);
  const spec: ContainerSpec = {
    name,
    image: serviceImage(project.name, s),
    labels: containerLabels(input),
    env: env(s),
    tty: s.tty === true,
    stdinOpen: s.stdin_open === true,
    exposedPorts: exposedPorts(s),
    ports: oneOff !== undefined && !oneOff.publishPorts ? [] : portBindings(s.ports ?? []),
    mounts: [...serviceMounts(project, s, input.replaces?.mounts ?? []), ...secrets.mounts],
    networkMode: net.mode,
    networks: net.attachments,
    links: links(input),
    extraHosts: Object.keys(s.extra_hosts ?? {})
      .sort()
      .flatMap((h) => (s.extra_hosts![h] ?? []).map((ip) => `${h}:${ip}`)),
    dns: s.dns ?? [],
    dnsSearch: s.dns_search ?? [],
    dnsOptions: s.dns_opt ?? [],
    restartPolicy: oneOff !== undefined ? { name: 'no' } : restartPolicy(s),
    init: s.init === true,
    privileged: s.privileged === true,
    readOnlyRootfs: s.read_only === true,
    capAdd: s.cap_add ?? [],
    capDrop: s.cap_drop ?? [],
    securityOpt: s.security_opt ?? [],
    sysctls: s.sysctls ?? {},
    ulimits: ulimits(s),
    tmpfs: tmpfsOptions(s),
    devices: (s.devices ?? []).map((d) => ({ source: d.source, target: d.target || d.source, permissions: d.permissions || 'rwm' })),
    groupAdd: s.group_add ?? [],
    resources: resources(s),
    volumesFrom: volumesFrom(input),
  };
  const optional: Partial<ContainerSpec> = {
    ...(s.entrypoint != null ? { entrypoint: s.entrypoint } : {}),
    ...(s.command != null ? { command: s.command } : {}),
    ...(s.working_dir !== undefined ? { workingDir: s.working_dir } : {}),
    ...(s.user !== undefined ? { user: s.user } : {}),
    ...(s.hostname !== undefined ? { hostname: s.hostname } : {}),
    ...(s.domainname !== undefined ? { domainname: s.domainname } : {}),
    ...(s.stop_signal !== undefined ? { stopSignal: s.stop_signal } : {}),
    ...(grace !== undefined ? { stopTimeoutSeconds: Math.ceil(grace / 1000) } : {}),
    ...(s.shm_size !== undefined ? { shmSizeBytes: bytes(s.name, 'shm_size', s.shm_size)! } : {}),
    ...(s.ipc !== undefined ? { ipcMode: refMode(s, 'ipc', s.ipc, input)! } : {}),
    ...(s.pid !== undefined ? { pidMode: refMode(s, 'pid', s.pid, input)! } : {}),
    ...(s.uts !== undefined ? { utsMode: s.uts } : {}),
    ...(s.cgroup_parent !== undefined ? { cgroupParent: s.cgroup_parent } : {}),
    ...(s.runtime !== undefined ? { runtime: s.runtime } : {}),
    ...(s.userns_mode !== undefined ? { userNsMode: s.userns_mode } : {}),
    ...(s.mac_address !== undefined ? { macAddress: s.mac_address } : {}),
    ...(s.oom_score_adj !== undefined ? { oomScoreAdj: s.oom_score_adj } : {}),
    ...(s.oom_kill_disable !== undefined ? { oomKillDisable: s.oom_kill_disable } : {}),
    ...(s.platform !== undefined ? { platform: s.platform } : {}),
    ...(s.annotations !== undefined ? { annotations: s.annotations } : {}),
  };
  Object.assign(spec, optional);
  const hc = healthcheckSpec(s);
  if (hc !== undefined) spec.healthcheck = hc;
  if (s.logging !== undefined) {
    const options: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.logging.options ?? {})) if (v !== null) options[k] = v;
    // An empty driver keeps the engine's default driver with these options.
    spec.logging = { driver: s.logging.driver ?? '', options };
  }
  return { spec, copies: secrets.copies };
}
