import type { Engine } from '../engine/engine.js';
import { LABEL } from '../model/labels.js';

export interface ProjectListing {
  name: string;
  /** `running(2)`, or several states `exited(1), running(2)`. */
  status: string;
  /** Comma-joined compose files from the containers' labels. */
  configFiles: string;
}

/** `ls`: every project on the engine, from the project label of its containers. */
export async function listProjects(engine: Engine, opts: { all: boolean; nameFilter?: string }): Promise<ProjectListing[]> {
  const containers = await engine.listContainers({ all: opts.all, labels: { [LABEL.project]: undefined } });
  const projects = new Map<string, { states: Map<string, number>; files: Set<string> }>();
  for (const c of containers) {
    const name = c.labels[LABEL.project] ?? '';
    let p = projects.get(name);
    if (p === undefined) projects.set(name, (p = { states: new Map(), files: new Set() }));
    p.states.set(c.state, (p.states.get(c.state) ?? 0) + 1);
    for (const f of (c.labels[LABEL.configFiles] ?? '').split(',')) if (f !== '') p.files.add(f);
  }
  const filter = opts.nameFilter === undefined ? undefined : new RegExp(opts.nameFilter);
  return [...projects.entries()]
    .filter(([name]) => filter === undefined || filter.test(name))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, p]) => ({
      name,
      status: [...p.states.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}(${n})`).join(', '),
      configFiles: [...p.files].join(','),
    }));
}
