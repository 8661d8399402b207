/** Running the runtime binary's short-lived commands and reading their errors. */
import { runProcess } from './process-runner.js';

export interface RuntimeInfo { name: 'crun' | 'runc'; path: string; version: string; cgroupWorkaround: boolean }

export interface RunResult { code: number; stdout: string; stderr: string }

/** Runs a short-lived tool command, collecting its output (never used for create/run: pitfall 3). */
export async function runTool(file: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<RunResult> {
  try {
    return await runProcess(file, args, { timeoutMs: opts.timeoutMs ?? 30_000 });
  } catch (err) {
    throw new Error(`${file} ${args.join(' ')}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Strips runc's logrus framing (`time=… level=error msg="…"`) so messages read like crun's. */
export function runtimeMessage(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const out = lines.map((l) => {
    const m = /level=(\w+) msg="((?:[^"\\]|\\.)*)"/.exec(l);
    if (m === null) return l;
    return m[1] === 'warning' ? '' : (m[2] ?? '').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }).filter((l) => l !== '');
  return out.join('; ');
}

