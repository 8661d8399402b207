import type { LogLine } from '../engine.js';

export interface Frame {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

const HEADER = 8;

/**
 * Splits Docker's multiplexed stream (8-byte headers: stream type, 3 zero bytes, big-endian
 * length) into frames; frames may straddle chunks. With a TTY the stream is raw stdout.
 */
export async function* demuxFrames(source: AsyncIterable<Buffer | string>, tty: boolean): AsyncGenerator<Frame> {
  if (tty) {
    for await (const chunk of source) yield { stream: 'stdout', data: Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk) };
    return;
  }
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    pending = pending.length === 0 ? toBuffer(chunk) : Buffer.concat([pending, toBuffer(chunk)]);
    while (pending.length >= HEADER) {
      const size = pending.readUInt32BE(4);
      if (pending.length < HEADER + size) break;
      const type = pending[0];
      const data = pending.subarray(HEADER, HEADER + size);
      pending = pending.subarray(HEADER + size);
      // Type 0 is stdin (echoed with a TTY-less attach); treat it as stdout.
      yield { stream: type === 2 ? 'stderr' : 'stdout', data };
    }
  }
}

function toBuffer(chunk: Buffer | string): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) ?/;

function toLine(stream: 'stdout' | 'stderr', raw: string, timestamps: boolean): LogLine {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (!timestamps) return { stream, text };
  const m = TIMESTAMP.exec(text);
  if (m === null) return { stream, text };
  return { stream, text: text.slice(m[0].length), timestamp: m[1] ?? '' };
}

/** Frames → lines per stream; a partial line waits for the rest of it, and is flushed at the end. */
export async function* framesToLines(frames: AsyncIterable<Frame>, timestamps: boolean): AsyncGenerator<LogLine> {
  const partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  // Decoders keep multi-byte characters split across frames intact.
  const decoders = { stdout: new TextDecoder('utf-8'), stderr: new TextDecoder('utf-8') };
  for await (const frame of frames) {
    const text = partial[frame.stream] + decoders[frame.stream].decode(frame.data, { stream: true });
    const parts = text.split('\n');
    partial[frame.stream] = parts.pop() ?? '';
    for (const part of parts) yield toLine(frame.stream, part, timestamps);
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    const rest = partial[stream] + decoders[stream].decode();
    if (rest !== '') yield toLine(stream, rest, timestamps);
  }
}
