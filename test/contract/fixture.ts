import type { ContainerSpec, Engine, LogLine } from '../../src/engine/engine.js';
import { LABEL } from '../../src/model/labels.js';
import { BASE_IMAGE, cleanupProject, ensureBaseImage, uniqueProject } from '../helpers/docker.js';

export type MakeEngine = () => Promise<Engine>;

/** A minimal spec for a test container: the base image, the project label, nothing published. */
export function containerSpec(project: string, name: string, over: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    name: `${project}-${name}`,
    image: BASE_IMAGE,
    labels: { [LABEL.project]: project, [LABEL.service]: name },
    env: [],
    tty: false,
    stdinOpen: false,
    exposedPorts: [],
    ports: [],
    mounts: [],
    networkMode: 'bridge',
    networks: [],
    links: [],
    extraHosts: [],
    dns: [],
    dnsSearch: [],
    dnsOptions: [],
    restartPolicy: { name: 'no' },
    init: false,
    privileged: false,
    readOnlyRootfs: false,
    capAdd: [],
    capDrop: [],
    securityOpt: [],
    sysctls: {},
    ulimits: [],
    tmpfs: {},
    devices: [],
    groupAdd: [],
    resources: {},
    volumesFrom: [],
    stopTimeoutSeconds: 1,
    ...over,
  };
}

/** Runs `fn` with a fresh project on a connected engine; removes what the project created, even on failure. */
export async function withProject(
  makeEngine: MakeEngine,
  prefix: string,
  fn: (engine: Engine, project: string) => Promise<void>,
): Promise<void> {
  const engine = await makeEngine();
  const project = uniqueProject(prefix);
  try {
    await ensureBaseImage(engine);
    await fn(engine, project);
  } finally {
    try {
      await cleanupProject(engine, project);
    } finally {
      await engine.close();
    }
  }
}

export async function collectLogs(lines: AsyncIterable<LogLine>): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

/** Creates and starts a container; returns its id. */
export async function run(engine: Engine, spec: ContainerSpec): Promise<string> {
  const id = await engine.createContainer(spec);
  await engine.startContainer(id);
  return id;
}

export const SLEEP = ['sh', '-c', 'trap "exit 0" TERM; sleep 300 & wait'];
