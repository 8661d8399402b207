import type { ContainerSpec, Engine, LogLine } from '../../src/engine/engine.js';
import { LABEL } from '../../src/model/labels.js';
import { baseContainerSpec } from '../helpers/container-spec.js';
import { cleanupProject, ensureBaseImage, uniqueProject } from '../helpers/docker.js';
import { runService } from '../helpers/service-containers.js';

export type MakeEngine = () => Promise<Engine>;

/** A minimal spec for a test container: the base image, the project label, nothing published. */
export function containerSpec(project: string, name: string, over: Partial<ContainerSpec> = {}): ContainerSpec {
  return baseContainerSpec(`${project}-${name}`, { [LABEL.project]: project, [LABEL.service]: name }, over);
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
export const run = (engine: Engine, spec: ContainerSpec): Promise<string> => runService(engine, spec);

export const SLEEP = ['sh', '-c', 'trap "exit 0" TERM; sleep 300 & wait'];
