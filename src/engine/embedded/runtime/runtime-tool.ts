/** Running the runtime binary's short-lived commands and reading their errors. */
import { execFile } from 'node:child_process';

export interface RuntimeInfo { name: 'crun' | 'runc'; path: string; version: string; cgroupWorkaround: boolean }

export interface RunResult { code: number; stdout: string; stderr: string }

/** Runs a short-lived tool command, collecting its output (never used for create/run: pitfall 3). */
export function runTool(file: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: opts.timeoutMs ?? 30_000 }, (err, stdout, stderr) => {
      if (err === null) return resolve({ code: 0, stdout, stderr });
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'number') return resolve({ code, stdout, stderr });
      reject(new Error(`${file} ${args.join(' ')}: ${err.message}`, { cause: err }));
    });
  });
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

