/**
 * The monitor: one small background process per engine root that applies restart policies and
 * runs healthchecks while no berth command runs. Commands start it when they start a container
 * that needs it; it exits by itself when nothing needs watching.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Core } from '../core.js';
import { processAlive } from '../image/store-lock.js';

export function monitorPidFile(run: string): string {
  return join(run, 'monitor.pid');
}

export async function monitorRunning(run: string): Promise<boolean> {
  const text = await readFile(monitorPidFile(run), 'utf8').catch(() => '');
  const pid = parseInt(text.trim(), 10);
  return processAlive(pid);
}

/** Starts the monitor unless one is alive. */
export async function ensureMonitor(core: Core): Promise<void> {
  if (await monitorRunning(core.paths.run)) return;
  await mkdir(core.paths.run, { recursive: true });
  const script = fileURLToPath(new URL('./monitor-main.js', import.meta.url));
  const log = openSync(join(core.paths.root, 'monitor.log'), 'a');
  try {
    const child = spawn(process.execPath, [script, core.paths.root], {
      detached: true,
      stdio: ['ignore', log, log],
      env: { PATH: core.opts.pathEnv ?? process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    child.unref();
  } finally {
    closeSync(log);
  }
}
