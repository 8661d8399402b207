/** Pulls exact byte counts out of an async chunk source (a stream, or any iterable of chunks). */
export class ByteSource {
  private readonly it: AsyncIterator<Buffer | string>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private done = false;

  constructor(source: AsyncIterable<Buffer | string>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async fill(n: number): Promise<boolean> {
    while (this.pendingBytes < n && !this.done) {
      const r = await this.it.next();
      if (r.done === true) this.done = true;
      else if (r.value.length > 0) {
        const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
        this.pending.push(chunk);
        this.pendingBytes += chunk.length;
      }
    }
    return this.pendingBytes >= n;
  }

  /** Exactly `n` bytes, or undefined at a clean end of input. Throws on a truncated read. */
  async read(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) {
      if (this.pendingBytes === 0) return undefined;
      throw new Error('truncated tar archive');
    }
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    return out;
  }

  /** Up to `max` bytes as soon as any are available (at least 1), for streaming bodies. */
  async chunk(max: number): Promise<Buffer> {
    if (!(await this.fill(1))) throw new Error('truncated tar archive');
    const first = this.pending[0]!;
    if (first.length <= max) {
      this.pending.shift();
      this.pendingBytes -= first.length;
      return first;
    }
    this.pending[0] = first.subarray(max);
    this.pendingBytes -= max;
    return first.subarray(0, max);
  }

  /** Stops reading: a stream's iterator destroys it (releasing the connection behind it). */
  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.it.return?.();
    }
  }

  async drain(): Promise<void> {
    this.pending = [];
    this.pendingBytes = 0;
    while (!this.done) {
      const r = await this.it.next();
      if (r.done === true) this.done = true;
    }
  }
}
