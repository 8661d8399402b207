/**
 * Builds a large text (the output of `config`) from many small pieces. The pieces are
 * joined natively a few thousand at a time from one reused array: no per-character work in
 * JavaScript, and no intermediate concatenations or regrown arrays for the garbage
 * collector, which is what a cold `config` run spends most on.
 */
const CHUNK = 4096;

export class TextBuffer {
  private readonly pieces: string[] = new Array<string>(CHUNK).fill('');
  private count = 0;
  private readonly chunks: string[] = [];

  add(s: string): void {
    this.pieces[this.count++] = s;
    if (this.count === CHUNK) {
      this.chunks.push(this.pieces.join(''));
      this.count = 0;
    }
  }

  toString(): string {
    if (this.count > 0) {
      this.chunks.push(this.pieces.slice(0, this.count).join(''));
      this.count = 0;
    }
    if (this.chunks.length !== 1) {
      const text = this.chunks.join('');
      this.chunks.length = 0;
      this.chunks.push(text);
    }
    return this.chunks[0]!;
  }
}
