import type { Readable } from 'node:stream';

/** What the CLI needs from the process; tests pass their own. */
export interface CliIo {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  writeOut(text: string): void;
  writeErr(text: string): void;
  readStdin(): Promise<string>;
  /** The raw streams, for commands that connect a container's stdio (run, exec, cp). */
  readonly stdin: Readable;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdinIsTTY: boolean;
  /** Puts a terminal stdin in raw mode (TTY sessions); absent when stdin is no terminal. */
  setRawMode?(raw: boolean): void;
}

export function processIo(): CliIo {
  // A reader that goes away (`berth events | head`) is not an error: stop quietly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  return {
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    writeOut: (t) => void process.stdout.write(t),
    writeErr: (t) => void process.stderr.write(t),
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY: process.stdin.isTTY === true,
    ...(process.stdin.isTTY === true ? { setRawMode: (raw: boolean) => void process.stdin.setRawMode(raw) } : {}),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
