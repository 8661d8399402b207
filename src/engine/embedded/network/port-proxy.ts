/** Starting and stopping the userland port proxy of one container (see port-proxy-main.ts). */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../../engine-error.js';
import type { EndpointPort } from './network-types.js';

const READY_TIMEOUT_MS = 10_000;

/** Starts a detached proxy for `ports`; resolves with its pid once every port listens. */
export function startPortProxy(ports: readonly EndpointPort[], containerName: string): Promise<number> {
  const script = fileURLToPath(new URL('./port-proxy-main.js', import.meta.url));
  const spec = ports.map((p) => ({ protocol: p.protocol, hostIp: p.hostIp, hostPort: p.hostPort, containerIp: p.containerIp, containerPort: p.containerPort }));
  const child = spawn(process.execPath, [script, JSON.stringify(spec)], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  child.unref();
  return new Promise((resolve, reject) => {
    let out = '';
    const fail = (message: string): void => {
      clearTimeout(timer);
      child.stdout?.destroy();
      if (child.pid !== undefined) stopPortProxy(child.pid);
      reject(new EngineError('failed', 'start container', containerName, `cannot publish the ports of ${containerName}: ${message}`));
    };
    const timer = setTimeout(() => fail('the port proxy did not start in time'), READY_TIMEOUT_MS);
    child.once('error', (err) => fail(err.message));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (!out.includes('\n')) return;
      const line = out.slice(0, out.indexOf('\n'));
      if (line !== 'ready') {
        fail(line.replace(/^error: /, ''));
        return;
      }
      clearTimeout(timer);
      child.stdout?.destroy();
      resolve(child.pid ?? 0);
    });
  });
}

/** Ends a proxy by its pid; one already gone is fine, and a pid reused by another program is left alone. */
export function stopPortProxy(pid: number): void {
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('port-proxy-main.js')) return;
    process.kill(pid, 'SIGTERM');
  } catch {
    // Not running any more.
  }
}
