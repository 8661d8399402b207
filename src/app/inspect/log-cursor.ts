import type { LogLine } from '../../engine/engine.js';

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** Nanoseconds since the epoch of an RFC 3339 timestamp with up to nine fraction digits. */
export function timestampNanos(ts: string): bigint | undefined {
  const m = RFC3339.exec(ts);
  if (m === null) return undefined;
  const ms = Date.parse(`${m[1] ?? ''}${m[3] ?? ''}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/**
 * Where a container's log has been read up to. Re-reading from `sinceSeconds()` after a restart
 * repeats the lines of the last instant; `accept` drops those (and anything older).
 */
export class LogCursor {
  private last: bigint | undefined;
  private readonly atLast = new Map<string, number>();
  private readonly seenAtLast = new Map<string, number>();

  /** Whether to pass the line on; records it as read. */
  accept(line: LogLine): boolean {
    const ns = line.timestamp === undefined ? undefined : timestampNanos(line.timestamp);
    if (ns === undefined) return true;
    if (this.last !== undefined && ns < this.last) return false;
    if (this.last !== undefined && ns === this.last) {
      // The same instant again: drop as many copies of a text as were already printed.
      const printed = this.atLast.get(line.text) ?? 0;
      const seen = (this.seenAtLast.get(line.text) ?? 0) + 1;
      this.seenAtLast.set(line.text, seen);
      if (seen <= printed) return false;
      this.atLast.set(line.text, printed + 1);
      return true;
    }
    this.last = ns;
    this.atLast.clear();
    this.atLast.set(line.text, 1);
    this.seenAtLast.clear();
    this.seenAtLast.set(line.text, 1);
    return true;
  }

  /** Call before re-reading: the next read starts counting repeats afresh. */
  rewind(): void {
    this.seenAtLast.clear();
  }

  /** Seconds since the epoch to resume from (a little before the last line), if any was read. */
  sinceSeconds(): number | undefined {
    if (this.last === undefined) return undefined;
    return Number(this.last / 1000n) / 1e6 - 1e-6;
  }
}
