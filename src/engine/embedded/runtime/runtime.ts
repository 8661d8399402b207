/**
 * Driver for the OCI runtime binary: crun preferred, runc as fallback. On hosts with hybrid
 * cgroups crun's create/run must run in a private mount namespace with an empty file bound over
 * /sys/fs/cgroup/unified/cgroup.controllers; a generated wrapper script does that (and is what
 * conmon gets as its runtime). Every other command runs the binary directly with `--root`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { access, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { constants as osConstants } from 'node:os';
import { EngineError } from '../../engine-error.js';
import { spawnWithTerminal, writeExecSpec, type ExecOptions } from './runtime-exec.js';
import { detectRuntime } from './runtime-detect.js';
import { runTool, runtimeMessage, type RunResult } from './runtime-tool.js';

export type { ExecOptions } from './runtime-exec.js';

export type { RuntimeInfo } from './runtime-tool.js';
import type { RuntimeInfo } from './runtime-tool.js';

export interface RuntimeState { status: 'created' | 'running' | 'paused' | 'stopped'; pid: number }

/** "SIGTERM", "TERM" and "15" → 15; unknown names are an error. */
export function signalNumber(signal: string): number {
  const s = signal.trim().toUpperCase();
  if (/^\d+$/.test(s)) return Number(s);
  const name = (s.startsWith('SIG') ? s : `SIG${s}`) as keyof typeof osConstants.signals;
  const n = osConstants.signals[name] as number | undefined;
  if (n === undefined) throw new EngineError('unsupported', 'kill', signal, `unknown signal "${signal}"`);
  return n;
}

export class OciRuntime {
  readonly info: RuntimeInfo;
  /** The executable conmon gets as `-r`: a wrapper adding `--root` (and the cgroup workaround when needed). */
  readonly conmonRuntimePath: string;
  readonly runtimeRoot: string;
  readonly workDir: string;

  private constructor(info: RuntimeInfo, conmonRuntimePath: string, runtimeRoot: string, workDir: string) {
    this.info = info;
    this.conmonRuntimePath = conmonRuntimePath;
    this.runtimeRoot = runtimeRoot;
    this.workDir = workDir;
  }

  static async detect(opts: { runtimeRoot: string; workDir: string; prefer?: 'crun' | 'runc' }): Promise<OciRuntime> {
    const found = await detectRuntime(opts);
    return new OciRuntime(found.info, found.wrapperPath, opts.runtimeRoot, opts.workDir);
  }

  private base(): string[] {
    return ['--root', this.runtimeRoot];
  }

  private async command(operation: string, id: string, args: string[]): Promise<RunResult> {
    const r = await runTool(this.info.path, [...this.base(), ...args]);
    if (r.code === 0) return r;
    if (!(await this.exists(id))) throw new EngineError('not-found', operation, id, `container ${id} does not exist in ${this.info.name}`);
    throw new EngineError('failed', operation, id, `${this.info.name} ${args[0] ?? ''} ${id} failed: ${runtimeMessage(r.stderr) || `exit status ${r.code}`}`);
  }

  /** Whether the runtime knows the container (its state directory exists under --root). */
  async exists(id: string): Promise<boolean> {
    return access(join(this.runtimeRoot, id)).then(() => true, () => false);
  }

  async start(id: string): Promise<void> {
    await this.command('start', id, ['start', id]);
  }

  async state(id: string): Promise<RuntimeState | undefined> {
    if (!(await this.exists(id))) return undefined;
    const r = await runTool(this.info.path, [...this.base(), 'state', id]);
    if (r.code !== 0) {
      if (!(await this.exists(id))) return undefined;
      throw new EngineError('failed', 'state', id, `${this.info.name} state ${id} failed: ${runtimeMessage(r.stderr)}`);
    }
    const parsed = JSON.parse(r.stdout) as { status?: string; pid?: number };
    const status = parsed.status;
    if (status !== 'created' && status !== 'running' && status !== 'paused' && status !== 'stopped') {
      throw new EngineError('failed', 'state', id, `${this.info.name} reported an unknown status "${String(status)}" for ${id}`);
    }
    return { status, pid: status === 'stopped' ? 0 : parsed.pid ?? 0 };
  }

  async kill(id: string, signal: string): Promise<void> {
    await this.command('kill', id, ['kill', id, String(signalNumber(signal))]);
  }

  async delete(id: string, force: boolean): Promise<void> {
    if (!(await this.exists(id))) return;
    const r = await runTool(this.info.path, [...this.base(), 'delete', ...(force ? ['--force'] : []), id]);
    if (r.code === 0 || !(await this.exists(id))) return;
    throw new EngineError('failed', 'delete', id, `${this.info.name} delete ${id} failed: ${runtimeMessage(r.stderr)}`);
  }

  async pause(id: string): Promise<void> {
    await this.command('pause', id, ['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.command('resume', id, ['resume', id]);
  }

  async ps(id: string): Promise<number[]> {
    const r = await this.command('ps', id, ['ps', '--format', 'json', id]);
    const pids = JSON.parse(r.stdout.trim() === '' ? '[]' : r.stdout) as unknown;
    return Array.isArray(pids) ? pids.filter((p): p is number => typeof p === 'number').sort((a, b) => a - b) : [];
  }

  /** The bundle directory the runtime recorded for a container. */
  async bundleOf(id: string): Promise<string> {
    const r = await this.command('state', id, ['state', id]);
    const bundle = (JSON.parse(r.stdout) as { bundle?: string }).bundle;
    if (bundle === undefined) throw new EngineError('failed', 'exec', id, `${this.info.name} state ${id} reported no bundle`);
    return bundle;
  }

  /**
   * Runs a process in the container. The returned child's stdio are pipes (stdin ignored when
   * detached); with tty the runtime allocates the pseudo-terminal inside the container and relays
   * it, so output arrives on stdout with \r\n line ends. Throws at once (EngineError not-found)
   * when the container does not exist; a failing command shows as the child's exit code and stderr.
   */
  exec(id: string, opts: ExecOptions): ChildProcess {
    const specFile = writeExecSpec(this, id, opts);
    const args = [...this.base(), 'exec', '--process', specFile, ...(opts.detach ? ['--detach'] : []), id];
    const child = opts.tty && !opts.detach
      ? spawnWithTerminal(this.info.path, args, opts.terminalSize)
      : spawn(this.info.path, args, { stdio: opts.detach ? ['ignore', 'ignore', 'ignore'] : ['pipe', 'pipe', 'pipe'] });
    child.once('exit', () => void rm(specFile, { force: true }));
    child.once('error', () => void rm(specFile, { force: true }));
    return child;
  }

  /**
   * Foreground run for builds: creates, runs and deletes the container, resolving with its
   * exit code. Aborting kills the container (SIGKILL) and resolves with the code that produced.
   */
  async runForeground(id: string, bundleDir: string, out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }, signal?: AbortSignal): Promise<number> {
    if (signal?.aborted === true) throw new EngineError('failed', 'run', id, `run of ${id} was aborted before it started`);
    const child = spawn(this.conmonRuntimePath, ['run', '--bundle', bundleDir, id], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out.stdout, { end: false });
    child.stderr.pipe(out.stderr, { end: false });
    const onAbort = (): void => {
      void this.kill(id, 'KILL').catch(() => undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const code = await new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (c, sig) => resolve(c ?? 128 + (sig === null ? 0 : osConstants.signals[sig])));
      });
      return code;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await this.delete(id, true).catch(() => undefined);
    }
  }
}
