import type { Engine } from '../../src/engine/engine.js';
import type { BerthProcess } from '../helpers/berth-cli.js';
import { eventually } from '../helpers/eventually.js';

/** Output of a command in a container (fails the check when it exits non-zero). */
export async function sh(engine: Engine, container: string, script: string): Promise<string> {
  const r = await engine.exec(container, { command: ['sh', '-c', script] });
  if (r.exitCode !== 0) throw new Error(`${script} exited ${r.exitCode}: ${r.output ?? ''}`);
  return (r.output ?? '').trim();
}

/** Waits until the watcher's stdout has a line matching `pattern` after `from` characters; returns the line. */
export async function outputLine(proc: BerthProcess, pattern: RegExp, from = 0, timeoutMs = 20_000): Promise<string> {
  return eventually(
    () => {
      const line = proc.out().slice(from).split('\n').find((l) => pattern.test(l));
      if (line === undefined) throw new Error(`no line ${String(pattern)} in:\n${proc.out().slice(from)}\nstderr:\n${proc.err()}`);
      return line;
    },
    { timeoutMs, intervalMs: 50, message: 'watch output' },
  );
}

/** Stops the watcher like Ctrl-C and returns its exit code. */
export async function interrupt(proc: BerthProcess): Promise<number | null> {
  proc.kill('SIGINT');
  return proc.exit;
}
