import type { ContainerSpec, Engine } from '../../src/engine/engine.js';
import { LABEL } from '../../src/model/labels.js';
import { baseContainerSpec } from './container-spec.js';

/** A container spec labelled the way docker compose labels a service replica (or a one-off). */
export function serviceSpec(project: string, service: string, n: number, command: string[], extra: Partial<ContainerSpec> = {}, oneoff = false): ContainerSpec {
  const labels = {
    [LABEL.project]: project,
    [LABEL.service]: service,
    [LABEL.oneoff]: oneoff ? 'True' : 'False',
    [LABEL.configFiles]: `/srv/${project}/compose.yaml`,
    ...(oneoff ? {} : { [LABEL.containerNumber]: String(n) }),
  };
  return baseContainerSpec(oneoff ? `${project}-${service}-run-${n}` : `${project}-${service}-${n}`, labels, {
    command,
    // The project's own network (see createProjectNetwork), as compose does; not the default bridge.
    networkMode: `${project}_default`,
    networks: [{ network: `${project}_default`, aliases: [service] }],
    ...extra,
  });
}

/** `<project>_default`, labelled so cleanupProject removes it. */
export async function createProjectNetwork(engine: Engine, project: string): Promise<void> {
  await engine.createNetwork({
    name: `${project}_default`,
    labels: { [LABEL.project]: project, [LABEL.network]: 'default' },
    internal: false,
    attachable: false,
    enableIpv6: false,
  });
}

/** Creates a service container and (unless `start` is false) starts it; returns its id. */
export async function runService(engine: Engine, spec: ContainerSpec, start = true): Promise<string> {
  const id = await engine.createContainer(spec);
  if (start) await engine.startContainer(id);
  return id;
}
