import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContainerDetails, Engine } from '../../src/engine/engine.js';
import { LABEL } from '../../src/model/labels.js';

// Compiled to dist/test/e2e/: the repository root is three levels up.
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const berthBin = join(repo, 'bin', 'berth');

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A compose project in a fresh directory, run with `-p <name>`. */
export class TestProject {
  readonly dir = mkdtempSync(join(tmpdir(), 'berth-lifecycle-'));
  constructor(readonly name: string) {}

  write(yaml: string, file = 'compose.yaml'): this {
    writeFileSync(join(this.dir, file), yaml);
    return this;
  }

  /** Starts `berth -p name args…` in the project directory. */
  spawn(args: string[]): { done: Promise<Result>; pid: number | undefined; kill: (s: NodeJS.Signals) => void } {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: this.dir, NO_COLOR: '1' };
    if (process.env.DOCKER_HOST !== undefined) env.DOCKER_HOST = process.env.DOCKER_HOST;
    const child = spawn(process.execPath, [berthBin, '-p', this.name, '--progress', 'plain', ...args], { cwd: this.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<Result>((r, reject) => {
      child.on('error', reject);
      child.on('close', (code) => r({ code, stdout, stderr }));
    });
    return { done, pid: child.pid, kill: (s) => child.kill(s) };
  }

  run(...args: string[]): Promise<Result> {
    return this.spawn(args).done;
  }

  /** Like `run`, but fails the test with the output when the exit code is not `code`. */
  async ok(args: string[], code = 0): Promise<Result> {
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
