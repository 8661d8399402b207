import type { ContainerSpec, HealthcheckSpec, MountSpec, NetworkAttachment, PortBinding } from '../engine.js';

/** The JSON body of `POST /containers/create`, as far as berth fills it. */
export type CreateBody = Record<string, unknown>;

const NS_PER_MS = 1_000_000;

/** Compose-style healthcheck in milliseconds → the API's nanoseconds. */
export function healthcheckToApi(h: HealthcheckSpec): Record<string, unknown> {
  return {
    Test: h.test,
    ...(h.intervalMs === undefined ? {} : { Interval: h.intervalMs * NS_PER_MS }),
    ...(h.timeoutMs === undefined ? {} : { Timeout: h.timeoutMs * NS_PER_MS }),
    ...(h.retries === undefined ? {} : { Retries: h.retries }),
    ...(h.startPeriodMs === undefined ? {} : { StartPeriod: h.startPeriodMs * NS_PER_MS }),
    ...(h.startIntervalMs === undefined ? {} : { StartInterval: h.startIntervalMs * NS_PER_MS }),
  };
}

export function portKey(containerPort: number | string, protocol: string): string {
  return `${containerPort}/${protocol}`;
}

function portBindings(ports: PortBinding[]): Record<string, Array<{ HostIp: string; HostPort: string }>> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of ports) {
    const key = portKey(p.containerPort, p.protocol);
    (out[key] ??= []).push({ HostIp: p.hostIp, HostPort: p.hostPort });
  }
  return out;
}

function exposedPorts(spec: ContainerSpec): Record<string, Record<string, never>> {
  const out: Record<string, Record<string, never>> = {};
  for (const e of spec.exposedPorts) out[e.includes('/') ? e : `${e}/tcp`] = {};
  for (const p of spec.ports) out[portKey(p.containerPort, p.protocol)] = {};
  return out;
}

/**
 * Binds that must create a missing host path go through the legacy `Binds` list (the
 * `Mounts` API refuses missing sources); everything else uses `Mounts`.
 */
function mounts(list: MountSpec[]): { binds: string[]; mounts: Array<Record<string, unknown>> } {
  const binds: string[] = [];
  const out: Array<Record<string, unknown>> = [];
  for (const m of list) {
    switch (m.type) {
      case 'bind': {
        if (m.createHostPath) {
          const opts = [m.readOnly ? 'ro' : 'rw', ...(m.selinux === undefined ? [] : [m.selinux]), ...(m.propagation === undefined ? [] : [m.propagation])];
          binds.push(`${m.source}:${m.target}:${opts.join(',')}`);
        } else {
          out.push({
            Type: 'bind', Source: m.source, Target: m.target, ReadOnly: m.readOnly,
            ...(m.propagation === undefined ? {} : { BindOptions: { Propagation: m.propagation } }),
          });
        }
        break;
      }
      case 'volume': {
        const volumeOptions = {
          ...(m.noCopy ? { NoCopy: true } : {}),
          ...(m.subpath === undefined ? {} : { Subpath: m.subpath }),
        };
        out.push({
          Type: 'volume', Target: m.target, ReadOnly: m.readOnly,
          ...(m.source === undefined ? {} : { Source: m.source }),
          ...(Object.keys(volumeOptions).length === 0 ? {} : { VolumeOptions: volumeOptions }),
        });
        break;
      }
      case 'tmpfs': {
        const tmpfsOptions = {
          ...(m.sizeBytes === undefined ? {} : { SizeBytes: m.sizeBytes }),
          ...(m.mode === undefined ? {} : { Mode: m.mode }),
        };
        out.push({
          Type: 'tmpfs', Target: m.target, ReadOnly: m.readOnly,
          ...(Object.keys(tmpfsOptions).length === 0 ? {} : { TmpfsOptions: tmpfsOptions }),
        });
        break;
      }
    }
  }
  return { binds, mounts: out };
}

/** One network attachment → an `EndpointSettings` object (create and connect share it). */
/**
 * The endpoint settings of one network. `links` go here too: on a user-defined network dockerd
 * resolves link aliases only from the endpoint's own `Links`, not from `HostConfig.Links`.
 */
export function endpointConfig(a: NetworkAttachment, links: readonly string[] = []): Record<string, unknown> {
  const ipam = {
    ...(a.ipv4Address === undefined ? {} : { IPv4Address: a.ipv4Address }),
    ...(a.ipv6Address === undefined ? {} : { IPv6Address: a.ipv6Address }),
    ...(a.linkLocalIps === undefined || a.linkLocalIps.length === 0 ? {} : { LinkLocalIPs: a.linkLocalIps }),
  };
  return {
    Aliases: a.aliases,
    ...(links.length === 0 ? {} : { Links: [...links] }),
    ...(Object.keys(ipam).length === 0 ? {} : { IPAMConfig: ipam }),
    ...(a.macAddress === undefined ? {} : { MacAddress: a.macAddress }),
    ...(a.driverOpts === undefined ? {} : { DriverOpts: a.driverOpts }),
    ...(a.gwPriority === undefined ? {} : { GwPriority: a.gwPriority }),
  };
}

/** Whether `networkMode` names a user network (as opposed to bridge/host/none/container:…/service:…). */
export function isUserNetworkMode(mode: string): boolean {
  return !['bridge', 'host', 'none', 'default', ''].includes(mode) && !mode.startsWith('container:') && !mode.startsWith('service:');
}

function resources(r: ContainerSpec['resources']): Record<string, unknown> {
  return {
    ...(r.memoryBytes === undefined ? {} : { Memory: r.memoryBytes }),
    ...(r.memoryReservationBytes === undefined ? {} : { MemoryReservation: r.memoryReservationBytes }),
    ...(r.memorySwapBytes === undefined ? {} : { MemorySwap: r.memorySwapBytes }),
    ...(r.memorySwappiness === undefined ? {} : { MemorySwappiness: r.memorySwappiness }),
    ...(r.nanoCpus === undefined ? {} : { NanoCpus: r.nanoCpus }),
    ...(r.cpuShares === undefined ? {} : { CpuShares: r.cpuShares }),
    ...(r.cpuPeriod === undefined ? {} : { CpuPeriod: r.cpuPeriod }),
    ...(r.cpuQuota === undefined ? {} : { CpuQuota: r.cpuQuota }),
    ...(r.cpusetCpus === undefined ? {} : { CpusetCpus: r.cpusetCpus }),
    ...(r.pidsLimit === undefined ? {} : { PidsLimit: r.pidsLimit }),
  };
}

function hostConfig(spec: ContainerSpec): Record<string, unknown> {
  const m = mounts(spec.mounts);
  const opt = <T>(key: string, value: T | undefined): Record<string, T> => (value === undefined ? {} : { [key]: value });
  const nonEmpty = <T>(key: string, value: T[]): Record<string, T[]> => (value.length === 0 ? {} : { [key]: value });
  return {
    NetworkMode: spec.networkMode,
    ...nonEmpty('Binds', m.binds),
    ...nonEmpty('Mounts', m.mounts),
    PortBindings: portBindings(spec.ports),
    RestartPolicy: {
      Name: spec.restartPolicy.name === 'no' ? '' : spec.restartPolicy.name,
      ...opt('MaximumRetryCount', spec.restartPolicy.maximumRetryCount),
    },
    ...nonEmpty('VolumesFrom', spec.volumesFrom),
    ...nonEmpty('Links', spec.links),
    ...nonEmpty('ExtraHosts', spec.extraHosts),
    ...nonEmpty('Dns', spec.dns),
    ...nonEmpty('DnsSearch', spec.dnsSearch),
    ...nonEmpty('DnsOptions', spec.dnsOptions),
    ...(spec.init ? { Init: true } : {}),
    Privileged: spec.privileged,
    ReadonlyRootfs: spec.readOnlyRootfs,
    ...nonEmpty('CapAdd', spec.capAdd),
    ...nonEmpty('CapDrop', spec.capDrop),
    ...nonEmpty('SecurityOpt', spec.securityOpt),
    ...(Object.keys(spec.sysctls).length === 0 ? {} : { Sysctls: spec.sysctls }),
    ...nonEmpty('Ulimits', spec.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard }))),
    ...opt('ShmSize', spec.shmSizeBytes),
    ...(Object.keys(spec.tmpfs).length === 0 ? {} : { Tmpfs: spec.tmpfs }),
    ...nonEmpty('Devices', spec.devices.map((d) => ({ PathOnHost: d.source, PathInContainer: d.target, CgroupPermissions: d.permissions }))),
    ...nonEmpty('GroupAdd', spec.groupAdd),
    ...opt('IpcMode', spec.ipcMode),
    ...opt('PidMode', spec.pidMode),
    ...opt('UTSMode', spec.utsMode),
    ...opt('CgroupParent', spec.cgroupParent),
    ...opt('Runtime', spec.runtime),
    ...opt('UsernsMode', spec.userNsMode),
    ...opt('OomScoreAdj', spec.oomScoreAdj),
    ...opt('OomKillDisable', spec.oomKillDisable),
    ...resources(spec.resources),
    ...(spec.logging === undefined ? {} : { LogConfig: { Type: spec.logging.driver, Config: spec.logging.options } }),
    ...(spec.annotations === undefined || Object.keys(spec.annotations).length === 0 ? {} : { Annotations: spec.annotations }),
  };
}

/** ContainerSpec → create body. Only the first network is attached here; the caller connects the others. */
export function toCreateBody(spec: ContainerSpec): CreateBody {
  const first = spec.networks[0];
  const endpoints = first !== undefined && isUserNetworkMode(spec.networkMode)
    ? { EndpointsConfig: { [first.network]: endpointConfig(first, spec.links) } }
    : undefined;
  const opt = <T>(key: string, value: T | undefined): Record<string, T> => (value === undefined ? {} : { [key]: value });
  const mac = spec.macAddress ?? first?.macAddress;
  return {
    Image: spec.image,
    Labels: spec.labels,
    Env: spec.env,
    // An empty list clears the image's value; the API treats [""] entrypoint as "none".
    ...(spec.entrypoint === undefined ? {} : { Entrypoint: spec.entrypoint.length === 0 ? [''] : spec.entrypoint }),
    ...(spec.command === undefined ? {} : { Cmd: spec.command }),
    ...opt('WorkingDir', spec.workingDir),
    ...opt('User', spec.user),
    ...opt('Hostname', spec.hostname),
    ...opt('Domainname', spec.domainname),
    Tty: spec.tty,
    OpenStdin: spec.stdinOpen,
    StdinOnce: spec.stdinOpen && spec.stdinOnce === true,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ExposedPorts: exposedPorts(spec),
    ...(spec.healthcheck === undefined ? {} : { Healthcheck: healthcheckToApi(spec.healthcheck) }),
    ...opt('StopSignal', spec.stopSignal),
    ...opt('StopTimeout', spec.stopTimeoutSeconds),
    ...(mac === undefined || !isUserNetworkMode(spec.networkMode) && spec.networkMode !== 'bridge' ? {} : { MacAddress: mac }),
    HostConfig: hostConfig(spec),
    ...(endpoints === undefined ? {} : { NetworkingConfig: endpoints }),
  };
}
