import type Docker from 'dockerode';
import type { NetworkInfo, NetworkSpec, VolumeInfo, VolumeSpec } from '../engine.js';
import { call } from './errors.js';
import { filtersJson } from './label-filters.js';

type Json = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const labelsOf = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (typeof v === 'object' && v !== null) for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
};

function toNetwork(raw: Json): NetworkInfo {
  const containers = raw.Containers;
  return {
    id: str(raw.Id),
    name: str(raw.Name),
    driver: str(raw.Driver),
    labels: labelsOf(raw.Labels),
    internal: raw.Internal === true,
    containers: typeof containers === 'object' && containers !== null ? Object.keys(containers).sort() : [],
  };
}

function toVolume(raw: Json): VolumeInfo {
  return { name: str(raw.Name), driver: str(raw.Driver), labels: labelsOf(raw.Labels), mountpoint: str(raw.Mountpoint) };
}

export async function listNetworks(docker: Docker, labels: Record<string, string | undefined>): Promise<NetworkInfo[]> {
  const raw = await call('list networks', '', () => docker.listNetworks({ filters: filtersJson(labels) }));
  return (raw as unknown as Json[]).map(toNetwork).sort((a, b) => a.name.localeCompare(b.name));
}

export async function inspectNetwork(docker: Docker, ref: string): Promise<NetworkInfo> {
  const raw = await call('inspect network', ref, () => docker.getNetwork(ref).inspect() as Promise<Json>);
  return toNetwork(raw);
}

export async function createNetwork(docker: Docker, spec: NetworkSpec): Promise<string> {
  const ipam = spec.ipam === undefined ? undefined : {
    Driver: spec.ipam.driver ?? 'default',
    Config: spec.ipam.config.map((c) => ({
      ...(c.subnet === undefined ? {} : { Subnet: c.subnet }),
      ...(c.ipRange === undefined ? {} : { IPRange: c.ipRange }),
      ...(c.gateway === undefined ? {} : { Gateway: c.gateway }),
      ...(c.auxAddresses === undefined ? {} : { AuxiliaryAddresses: c.auxAddresses }),
    })),
    ...(spec.ipam.options === undefined ? {} : { Options: spec.ipam.options }),
  };
  const body = {
    Name: spec.name,
    // Older daemons (and Podman) create duplicate names without it.
    CheckDuplicate: true,
    Driver: spec.driver ?? 'bridge',
    Internal: spec.internal,
    Attachable: spec.attachable,
    EnableIPv6: spec.enableIpv6,
    ...(spec.enableIpv4 === undefined ? {} : { EnableIPv4: spec.enableIpv4 }),
    Labels: spec.labels,
    ...(spec.driverOpts === undefined ? {} : { Options: spec.driverOpts }),
    ...(ipam === undefined ? {} : { IPAM: ipam }),
  };
  const network = await call('create network', spec.name, () => docker.createNetwork(body as Docker.NetworkCreateOptions));
  return network.id;
}

export async function removeNetwork(docker: Docker, ref: string): Promise<void> {
  await call('remove network', ref, () => docker.getNetwork(ref).remove());
}

export async function listVolumes(docker: Docker, labels: Record<string, string | undefined>): Promise<VolumeInfo[]> {
  const raw = await call('list volumes', '', () => docker.listVolumes({ filters: filtersJson(labels) }));
  return ((raw.Volumes ?? []) as unknown as Json[]).map(toVolume).sort((a, b) => a.name.localeCompare(b.name));
}

export async function inspectVolume(docker: Docker, name: string): Promise<VolumeInfo> {
  const raw = await call('inspect volume', name, () => docker.getVolume(name).inspect());
  return toVolume(raw as unknown as Json);
}

export async function createVolume(docker: Docker, spec: VolumeSpec): Promise<VolumeInfo> {
  const body = {
    Name: spec.name,
    Driver: spec.driver ?? 'local',
    DriverOpts: spec.driverOpts ?? {},
    Labels: spec.labels,
  };
  const created = await call('create volume', spec.name, () => docker.createVolume(body) as Promise<unknown>);
  // dockerode resolves with a Volume handle or the raw body depending on version; inspect is exact.
  void created;
  return inspectVolume(docker, spec.name);
}

export async function removeVolume(docker: Docker, name: string, force: boolean): Promise<void> {
  await call('remove volume', name, () => docker.getVolume(name).remove({ force }));
}
