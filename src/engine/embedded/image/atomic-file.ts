/** Crash-safe file writes: a temp file beside the target, fsync'd, renamed over it, directory fsync'd. */
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A unique temp name in the same directory (so the final rename is atomic). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.tmp-${basename(target)}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Creates `tmp` (which must not exist), lets `write` fill it, fsyncs and closes it; on any
 * failure the temp file is removed and the error rethrown.
 */
export async function writeTempFile<T>(tmp: string, mode: number, write: (fh: FileHandle) => Promise<T>): Promise<T> {
  const fh = await open(tmp, 'wx', mode);
  let result: T;
  try {
    result = await write(fh);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  return result;
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function writeFileAtomic(target: string, data: string | Buffer, mode = 0o644): Promise<void> {
  const tmp = tempPathFor(target);
  await writeTempFile(tmp, mode, (fh) => fh.writeFile(data));
  try {
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dirname(target));
}

/**
 * Atomic against a process killed at any point (readers see the old or the new content), not
 * against a power loss: for facts that only matter within the current boot. No fsync, so a
 * fraction of writeFileAtomic's cost.
 */
export function writeFileAtomicVolatile(target: string, data: string, mode = 0o644): void {
  const tmp = tempPathFor(target);
  try {
    writeFileSync(tmp, data, { mode, flag: 'wx' });
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export async function writeJsonAtomic(target: string, value: unknown): Promise<void> {
  await writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}
