/**
 * Entry point of the monitor process (`node monitor-main.js <root>`), started detached by
 * ensureMonitor. Holds `<run>/monitor.pid` so only one runs per engine root.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { Core } from '../core.js';
import { claimPidFile } from '../image/store-lock.js';
import { monitorPidFile } from './launch.js';
import { anythingToWatch, supervise } from './supervise.js';

async function main(): Promise<void> {
  const root = process.argv[2];
  if (root === undefined) throw new Error('usage: monitor-main.js <root>');
  const core = await Core.open({ root, ...(process.env.PATH !== undefined ? { pathEnv: process.env.PATH } : {}) });
  await mkdir(core.paths.run, { recursive: true });
  const pidFile = monitorPidFile(core.paths.run);
  if (!(await claimPidFile(pidFile))) return;
  const log = (line: string): void => { process.stderr.write(`${new Date().toISOString()} ${line}\n`); };
  for (;;) {
    await supervise(core, log);
    // Give up the pid file first, then look once more: a command that started a container
    // after the last scan either saw this monitor gone (and started another) or is seen here.
    const owner = parseInt((await readFile(pidFile, 'utf8').catch(() => '')).trim(), 10);
    if (owner === process.pid) await rm(pidFile, { force: true });
    if (!(await anythingToWatch(core))) return;
    if (!(await claimPidFile(pidFile))) return;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${new Date().toISOString()} monitor failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
