import type Docker from 'dockerode';
import type {
  ContainerDetails, ContainerSpec, ContainerSummary, ListContainersOptions, NetworkAttachment, TopResult,
} from '../engine.js';
import { toDetails, toSummary } from './container-mapping.js';
import { endpointConfig, toCreateBody } from './container-spec.js';
import { call, callIdempotent } from './errors.js';
import { filtersJson } from './label-filters.js';

type Json = Record<string, unknown>;

export async function listContainers(docker: Docker, opts: ListContainersOptions): Promise<ContainerSummary[]> {
  const raw = await call('list containers', '', () => docker.listContainers({ all: opts.all, filters: filtersJson(opts.labels) }));
  return (raw as unknown as Json[]).map(toSummary).sort((a, b) => a.name.localeCompare(b.name));
}

export async function inspectContainer(docker: Docker, ref: string): Promise<ContainerDetails> {
  const raw = await call('inspect container', ref, () => docker.getContainer(ref).inspect());
  return toDetails(raw as unknown as Json);
}

export async function createContainer(docker: Docker, spec: ContainerSpec): Promise<string> {
  const query = { name: spec.name, ...(spec.platform === undefined ? {} : { platform: spec.platform }) };
  // dockerode sends `_query` as the query string and `_body` as the JSON body.
  const options = { _query: query, _body: toCreateBody(spec) } as unknown as Docker.ContainerCreateOptions;
  const container = await call('create container', spec.name, () => docker.createContainer(options));
  return container.id;
}

export function startContainer(docker: Docker, ref: string): Promise<void> {
  return callIdempotent('start container', ref, () => docker.getContainer(ref).start());
}

export function stopContainer(docker: Docker, ref: string, timeoutSeconds?: number): Promise<void> {
  return callIdempotent('stop container', ref, () => docker.getContainer(ref).stop(timeoutSeconds === undefined ? {} : { t: timeoutSeconds }));
}

export async function killContainer(docker: Docker, ref: string, signal?: string): Promise<void> {
  await call('kill container', ref, () => docker.getContainer(ref).kill(signal === undefined ? {} : { signal }));
}

export async function restartContainer(docker: Docker, ref: string, timeoutSeconds?: number): Promise<void> {
  await call('restart container', ref, () => docker.getContainer(ref).restart(timeoutSeconds === undefined ? {} : { t: timeoutSeconds }));
}

export async function removeContainer(docker: Docker, ref: string, opts: { force: boolean; volumes: boolean }): Promise<void> {
  await call('remove container', ref, () => docker.getContainer(ref).remove({ force: opts.force, v: opts.volumes }));
}

export async function renameContainer(docker: Docker, ref: string, name: string): Promise<void> {
  await call('rename container', ref, () => docker.getContainer(ref).rename({ name }));
}

export async function pauseContainer(docker: Docker, ref: string): Promise<void> {
  await call('pause container', ref, () => docker.getContainer(ref).pause());
}

export async function unpauseContainer(docker: Docker, ref: string): Promise<void> {
  await call('unpause container', ref, () => docker.getContainer(ref).unpause());
}

export async function waitContainer(docker: Docker, ref: string, signal?: AbortSignal): Promise<number> {
  const opts = signal === undefined ? {} : { abortSignal: signal };
  const result = await call('wait for container', ref, () => docker.getContainer(ref).wait(opts) as Promise<{ StatusCode?: number }>);
  return typeof result.StatusCode === 'number' ? result.StatusCode : -1;
}

export async function topContainer(docker: Docker, ref: string): Promise<TopResult> {
  const raw = await call('top container', ref, () => docker.getContainer(ref).top() as Promise<{ Titles?: string[]; Processes?: string[][] }>);
  return { titles: raw.Titles ?? [], processes: raw.Processes ?? [] };
}

export async function connectNetwork(docker: Docker, network: string, container: string, attachment: NetworkAttachment): Promise<void> {
  await call('connect network', `${network} to ${container}`, () =>
    docker.getNetwork(network).connect({ Container: container, EndpointConfig: endpointConfig(attachment) }));
}

export async function disconnectNetwork(docker: Docker, network: string, container: string, force: boolean): Promise<void> {
  await call('disconnect network', `${network} from ${container}`, () =>
    docker.getNetwork(network).disconnect({ Container: container, Force: force }));
}
