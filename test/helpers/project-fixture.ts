import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { ContainerDetails, Engine } from '../../src/engine/engine.js';
import { LABEL } from '../../src/model/labels.js';
import { berthInTerminal, berthProcess, type BerthProcess, type Run } from './berth-cli.js';
import { cleanupProject, ensureBaseImage, uniqueProject } from './docker.js';
import { connectTestEngine, type EngineKind } from './engines.js';

/** A compose project in a fresh directory, run with `--engine <engine> -p <name> --progress plain`. */
export class TestProject {
  readonly dir = mkdtempSync(join(tmpdir(), 'berth-lifecycle-'));
  constructor(
    readonly name: string,
    readonly engine: EngineKind = 'docker',
  ) {}

  write(yaml: string, file = 'compose.yaml'): this {
    writeFileSync(join(this.dir, file), yaml);
    return this;
  }

  /**
   * Starts `berth -p name args…` in the project directory; stdin is not connected unless
   * `stdin` says what to write to it (closed after that unless `keepOpen`).
   */
  spawn(args: string[], stdin?: { input: string; keepOpen?: boolean }): BerthProcess {
    return berthProcess(['-p', this.name, '--progress', 'plain', ...args], {
      cwd: this.dir, home: this.dir, engine: this.engine,
      input: stdin?.input ?? null, ...(stdin?.keepOpen === true ? { keepInputOpen: true } : {}),
    });
  }

  /** `berth -p name args…` on a pseudo-terminal of `rows` × `cols` (see berthInTerminal). */
  spawnInTerminal(args: string[], size: { rows: number; cols: number; resize?: { when: string; rows: number; cols: number } }): BerthProcess {
    return berthInTerminal(['-p', this.name, ...args], { cwd: this.dir, home: this.dir, engine: this.engine, ...size });
  }

  run(...args: string[]): Promise<Run> {
    return this.spawn(args).done;
  }

  /** Like `run`, but fails the test with the output when the exit code is not `code`. */
  async ok(args: string[], code = 0): Promise<Run> {
    const r = await this.run(...args);
    if (r.code !== code) throw new Error(`berth ${args.join(' ')} exited ${String(r.code)} (expected ${code})\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    return r;
  }
}

/** The project's containers, inspected, by name. */
export async function containersOf(engine: Engine, project: string): Promise<Map<string, ContainerDetails>> {
  const list = await engine.listContainers({ all: true, labels: { [LABEL.project]: project } });
  const details = await Promise.all(list.map((c) => engine.inspectContainer(c.id)));
  return new Map(details.map((d) => [d.name, d]));
}

export interface ProjectSuite {
  /** Which engine the suite's projects run on. */
  kind: EngineKind;
  /** The engine connected in `before` (closed in `after`). */
  engine: () => Engine;
  /** A new project with a unique name, cleaned up in `after` even when its test failed. */
  project: (prefix: string) => TestProject;
  /** `<service>-<n>`'s state in project `p`. */
  state: (p: TestProject, container: string) => Promise<string | undefined>;
}

/**
 * Registers `before`/`after` hooks in the calling `describe`: connects the test engine of `kind`
 * (the test's dockerd, or the embedded engine on TEST_ROOT), makes the base image exist, and
 * removes every project handed out, then closes the engine.
 */
export function projectSuite(kind: EngineKind = 'docker'): ProjectSuite {
  let engine: Engine | undefined;
  const projects: TestProject[] = [];
  const connected = (): Engine => {
    if (engine === undefined) throw new Error('projectSuite: the engine is connected in before()');
    return engine;
  };
  before(async () => {
    engine = await connectTestEngine(kind);
    await ensureBaseImage(engine);
  });
  after(async () => {
    if (engine === undefined) {
      for (const p of projects) rmSync(p.dir, { recursive: true, force: true });
      return;
    }
    const failures: unknown[] = [];
    for (const p of projects) {
      await cleanupProject(engine, p.name).catch((err: unknown) => failures.push(err));
      rmSync(p.dir, { recursive: true, force: true });
    }
    await engine.close();
    if (failures.length > 0) throw failures[0];
  });
  return {
    kind,
    engine: connected,
    project: (prefix) => {
      const p = new TestProject(uniqueProject(prefix), kind);
      projects.push(p);
      return p;
    },
    state: async (p, container) => (await containersOf(connected(), p.name)).get(`${p.name}-${container}`)?.state,
  };
}
