/** Runs `ip` and the iptables tools (never through a shell), turning failures into EngineErrors. */
import { dirname, join } from 'node:path';
import { EngineError } from '../../engine-error.js';
import { ProcessStartError, runProcess } from '../runtime/process-runner.js';

export interface ToolPaths {
  ip: string;
  iptables: string;
  iptablesSave: string;
  iptablesRestore: string;
}

export function toolPaths(opts: { ipPath?: string; iptablesPath?: string }): ToolPaths {
  const iptables = opts.iptablesPath ?? 'iptables';
  const sibling = (name: string): string => (iptables.includes('/') ? join(dirname(iptables), name) : name);
  return { ip: opts.ipPath ?? 'ip', iptables, iptablesSave: sibling('iptables-save'), iptablesRestore: sibling('iptables-restore') };
}

const PACKAGES: Record<string, string> = { ip: 'iproute2', iptables: 'iptables', 'iptables-save': 'iptables', 'iptables-restore': 'iptables' };

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool with optional stdin; rejects only when it cannot be started. */
export async function runTool(file: string, args: readonly string[], input?: string): Promise<RunResult> {
  try {
    return await runProcess(file, args, input !== undefined ? { input } : {});
  } catch (e) {
    const base = file.slice(file.lastIndexOf('/') + 1);
    if (e instanceof ProcessStartError && e.code === 'ENOENT') {
      const pkg = PACKAGES[base] ?? base;
      throw new EngineError('unavailable', 'network', base, `${base} not found: install the Debian package ${pkg} (apt-get install ${pkg})`, { cause: e });
    }
    throw e;
  }
}

/** Runs a tool and throws EngineError('failed') with its stderr on a non-zero exit. */
export async function mustRun(file: string, args: readonly string[], input: string | undefined, context: { operation: string; resource: string; what: string }): Promise<string> {
  const r = await runTool(file, args, input);
  if (r.code !== 0) {
    const detail = r.stderr.trim() || r.stdout.trim() || `exit code ${r.code}`;
    throw new EngineError('failed', context.operation, context.resource, `${context.what}: ${detail}`);
  }
  return r.stdout;
}

/** `ip -batch -` with the given lines (one spawn); `netns` runs it inside that namespace. */
export async function ipBatch(tools: ToolPaths, lines: readonly string[], context: { operation: string; resource: string; what: string }, netns?: string): Promise<void> {
  if (lines.length === 0) return;
  const args = [...(netns !== undefined ? ['-n', netns] : []), '-batch', '-'];
  await mustRun(tools.ip, args, `${lines.join('\n')}\n`, context);
}

/** Like ipBatch, but keeps going past failing lines (`-force`): for best-effort cleanup. */
export async function ipBatchForce(tools: ToolPaths, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  await runTool(tools.ip, ['-force', '-batch', '-'], `${lines.join('\n')}\n`);
}
