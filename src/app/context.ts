import type { Engine } from '../engine/engine.js';
import type { EventSink } from '../events/events.js';
import type { Project } from '../model/project.js';

/** What a project use case works with: the loaded project, an engine and an event sink. */
export interface ProjectContext {
  project: Project;
  engine: Engine;
  events: EventSink;
  /** Maximum concurrent engine operations; -1 or 0 for unlimited. */
  parallel: number;
  /** Aborts long work (Ctrl-C): operations in flight finish, no new ones start. */
  signal?: AbortSignal;
}

/** For commands that work from labels alone when there is no compose file (`down -p x`, `ps -p x`). */
export interface NamedProjectContext {
  projectName: string;
  /** The loaded project when a compose file was found. */
  project?: Project;
  engine: Engine;
  events: EventSink;
  parallel: number;
  signal?: AbortSignal;
}
