import { PassThrough } from 'node:stream';
import type { CliIo } from '../io.js';

export interface RecordingIo extends CliIo {
  out: string[];
  err: string[];
}

/** A CliIo that records what commands write (for unit tests of renderers). */
export function recordingIo(opts: { stdoutIsTTY?: boolean; stderrIsTTY?: boolean; env?: Record<string, string> } = {}): RecordingIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    argv: [],
    env: opts.env ?? {},
    cwd: '/',
    stdoutIsTTY: opts.stdoutIsTTY ?? false,
    stderrIsTTY: opts.stderrIsTTY ?? false,
    writeOut: (t) => void out.push(t),
    writeErr: (t) => void err.push(t),
    readStdin: () => Promise.resolve(''),
    stdin: new PassThrough().end(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    stdinIsTTY: false,
    out,
    err,
  };
}
