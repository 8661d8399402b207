/**
 * The engine's event log: one JSON object per line, appended by every berth process with a
 * single O_APPEND write (so concurrent appenders never interleave), rotated to `<path>.1`
 * above `maxBytes`, read and followed by `events`.
 *
 * Line format: {"type","action","id","attributes":{…},"timeNano":"<decimal string>"}.
 */
import { closeSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EngineEvent, EventOptions } from '../../engine.js';
import { withLock } from '../image/store-lock.js';
import { FileWaiter, isAborted } from './file-waiter.js';
import { matchesLabels } from './label-filter.js';
import { LineCursor } from './line-cursor.js';

export interface EventReadOptions extends EventOptions {
  /**
   * Keep reading new events until `signal` aborts or `until` passes. Without `since` and
   * `until`, following starts at the end of the log (only new events), like `docker events`.
   */
  follow: boolean;
}

const TYPES = new Set<EngineEvent['type']>(['container', 'network', 'volume', 'image']);

/** Seconds (possibly fractional) → nanoseconds, without float rounding of the large value. */
export function secondsToNanos(seconds: number): bigint {
  const whole = Math.floor(seconds);
  return BigInt(whole) * 1_000_000_000n + BigInt(Math.round((seconds - whole) * 1e9));
}

export function encodeEvent(e: EngineEvent): string {
  return `${JSON.stringify({ type: e.type, action: e.action, id: e.id, attributes: e.attributes, timeNano: e.timeNano.toString() })}\n`;
}

/** Undefined for a line that is not a valid event (a torn or foreign line is skipped, not fatal). */
export function decodeEvent(line: string): EngineEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  if (typeof o['type'] !== 'string' || !TYPES.has(o['type'] as EngineEvent['type'])) return undefined;
  if (typeof o['action'] !== 'string' || typeof o['id'] !== 'string' || typeof o['timeNano'] !== 'string' || !/^\d+$/.test(o['timeNano'])) return undefined;
  const attrs = o['attributes'];
  const attributes: Record<string, string> = {};
  if (typeof attrs === 'object' && attrs !== null) {
    for (const [k, v] of Object.entries(attrs)) if (typeof v === 'string') attributes[k] = v;
  }
  return { type: o['type'] as EngineEvent['type'], action: o['action'], id: o['id'], attributes, timeNano: BigInt(o['timeNano']) };
}

export class EventLog {
  constructor(readonly path: string, private readonly maxBytes = 4 * 1024 * 1024) {}

  get rotatedPath(): string {
    return `${this.path}.1`;
  }

  async append(e: EngineEvent): Promise<void> {
    // Synchronous calls: a few microseconds each, where async ones cost thread pool round trips
    // (an `up` appends dozens of events).
    let size: number;
    try {
      size = statSync(this.path).size;
    } catch {
      mkdirSync(dirname(this.path), { recursive: true });
      size = 0;
    }
    if (size > this.maxBytes) await this.rotate();
    const fd = openSync(this.path, 'a', 0o644);
    try {
      // One write(2) of the whole line: O_APPEND makes it land whole at the end.
      writeSync(fd, Buffer.from(encodeEvent(e)));
    } finally {
      closeSync(fd);
    }
  }

  private async rotate(): Promise<void> {
    await withLock(`${this.path}.lock`, async () => {
      // Re-check: another process may have rotated while we waited.
      const now = await stat(this.path).then((s) => s.size, () => 0);
      if (now > this.maxBytes) await rename(this.path, this.rotatedPath);
    });
  }

  read(opts: EventReadOptions): AsyncIterable<EngineEvent> {
    return this.events(opts);
  }

  private async *events(opts: EventReadOptions): AsyncGenerator<EngineEvent> {
    const since = opts.since !== undefined ? secondsToNanos(opts.since) : undefined;
    const until = opts.until !== undefined ? secondsToNanos(opts.until) : undefined;
    const wanted = (e: EngineEvent): boolean =>
      (since === undefined || e.timeNano >= since) && (until === undefined || e.timeNano <= until) && matchesLabels(e.attributes, opts.labels);
    const fromEnd = opts.follow && since === undefined && until === undefined;

    let cursor = await LineCursor.open(this.path, fromEnd ? 'end' : 0);
    if (!fromEnd) {
      const old = await LineCursor.open(this.rotatedPath, 0);
      if (old !== undefined) {
        try {
          for (const line of await old.readLines()) {
            const e = decodeEvent(line.toString('utf8'));
            if (e !== undefined && wanted(e)) yield e;
          }
        } finally {
          await old.close();
        }
      }
    }
    const waiter = opts.follow ? new FileWaiter(this.path, 100) : undefined;
    try {
      for (;;) {
        if (isAborted(opts.signal)) return;
        if (cursor !== undefined) {
          for (const line of await cursor.readLines()) {
            const e = decodeEvent(line.toString('utf8'));
            if (e !== undefined && wanted(e)) yield e;
            if (isAborted(opts.signal)) return;
          }
        }
        if (waiter === undefined) return;
        const nowNs = BigInt(Date.now()) * 1_000_000n;
        if (until !== undefined && nowNs > until) return;
        cursor = await this.afterRotation(cursor);
        if (cursor !== undefined && cursor.offset < (await cursor.size())) continue;
        const left = until !== undefined ? Number((until - nowNs) / 1_000_000n) + 1 : undefined;
        await waiter.wait(opts.signal, left);
      }
    } finally {
      waiter?.close();
      await cursor?.close();
    }
  }

  /**
   * When the log was rotated (or first created) since the cursor was opened, drain the old
   * file once more and switch to the new one from its start.
   */
  private async afterRotation(cursor: LineCursor | undefined): Promise<LineCursor | undefined> {
    const current = await stat(this.path).catch(() => undefined);
    if (current === undefined) return cursor;
    if (cursor !== undefined && (await cursor.inode()) === current.ino) return cursor;
    if (cursor !== undefined && cursor.offset < (await cursor.size())) return cursor;
    await cursor?.close();
    return LineCursor.open(this.path, 0);
  }
}
