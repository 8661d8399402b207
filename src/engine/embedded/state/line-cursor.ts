/** Reads newline-terminated records from an open file, remembering where it stopped. */
import { open, type FileHandle } from 'node:fs/promises';

const CHUNK = 64 * 1024;

export class LineCursor {
  private pending: Buffer = Buffer.alloc(0);

  private constructor(private readonly fh: FileHandle, public offset: number) {}

  /** Undefined when the file does not exist. */
  static async open(path: string, offset: number | 'end'): Promise<LineCursor | undefined> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const start = offset === 'end' ? (await fh.stat()).size : offset;
    return new LineCursor(fh, start);
  }

  async inode(): Promise<number> {
    return (await this.fh.stat()).ino;
  }

  async size(): Promise<number> {
    return (await this.fh.stat()).size;
  }

  /** Bytes read but not yet ended by a newline. */
  get partial(): Buffer {
    return this.pending;
  }

  /** Complete lines (without their newline) from the current position to EOF. */
  async readLines(maxBytes = Number.POSITIVE_INFINITY): Promise<Buffer[]> {
    const lines: Buffer[] = [];
    let budget = maxBytes;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, budget)));
      const { bytesRead } = await this.fh.read(buf, 0, buf.length, this.offset);
      if (bytesRead === 0) break;
      this.offset += bytesRead;
      budget -= bytesRead;
      let data = this.pending.length > 0 ? Buffer.concat([this.pending, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      let nl = data.indexOf(10);
      while (nl !== -1) {
        lines.push(Buffer.from(data.subarray(0, nl)));
        data = data.subarray(nl + 1);
        nl = data.indexOf(10);
      }
      this.pending = Buffer.from(data);
      if (budget <= 0) break;
    }
    return lines;
  }

  /** Starts over at `offset` (the file was truncated). */
  reset(offset: number): void {
    this.offset = offset;
    this.pending = Buffer.alloc(0);
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
