/**
 * Now and then (under load) crun 1.8 hands the whole output of a short `exec --tty` to its own
 * error logger instead of the terminal: the bytes arrive wrapped as
 * `ESC[1;31m<RFC 3339 time>: <output>ESC[0m\n`. This filter gives back the output itself, and
 * lets any other output through untouched (it only holds bytes while they can still be that
 * wrapper's start, and the last bytes of a wrapped stream).
 */
const START = '\x1b[1;31m';
const END = '\x1b[0m\n';
/** What follows the colour: the time and `: `. */
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z: /;
/** A time (with nanoseconds) and `: ` are at most this long. */
const MAX_STAMP = 37;

export class TtyOutputFilter {
  private mode: 'probe' | 'plain' | 'wrapped' = 'probe';
  private held = Buffer.alloc(0);

  constructor(private readonly emit: (chunk: Buffer) => void) {}

  write(chunk: Buffer): void {
    if (this.mode === 'plain') {
      this.emit(chunk);
      return;
    }
    this.held = Buffer.concat([this.held, chunk]);
    if (this.mode === 'probe') {
      const text = this.held.toString('latin1');
      const rest = text.slice(START.length);
      const m = text.startsWith(START) ? STAMP.exec(rest) : null;
      if (m !== null) {
        this.mode = 'wrapped';
        this.held = this.held.subarray(START.length + Buffer.byteLength(m[0], 'latin1'));
      } else if (!START.startsWith(text.slice(0, START.length)) || rest.length >= MAX_STAMP || !/^[\d\-T:.Z]*:?$/.test(rest)) {
        this.mode = 'plain';
        const out = this.held;
        this.held = Buffer.alloc(0);
        this.emit(out);
        return;
      } else {
        return;
      }
    }
    // Wrapped: everything but the last bytes, which may be the closing colour reset.
    if (this.held.length > END.length) {
      this.emit(this.held.subarray(0, this.held.length - END.length));
      this.held = this.held.subarray(this.held.length - END.length);
    }
  }

  end(): void {
    if (this.held.length === 0) return;
    const tail = this.mode === 'wrapped' && this.held.toString('latin1').endsWith(END)
      ? this.held.subarray(0, this.held.length - END.length)
      : this.held;
    this.held = Buffer.alloc(0);
    if (tail.length > 0) this.emit(tail);
  }
}
