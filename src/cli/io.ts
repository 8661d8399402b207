import { spawnSync } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { TerminalSizeSource } from '../engine/engine.js';

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
  /** The size of the terminal stdout writes to (and its changes); absent when it is none. */
  readonly terminal?: TerminalSizeSource;
}

/** Raw mode for a TTY session; left again when berth exits, however it exits. */
function rawModeSwitch(): (raw: boolean) => void {
  let hooked = false;
  const restore = (): void => {
    if (process.stdin.isTTY === true && process.stdin.isRaw) process.stdin.setRawMode(false);
  };
  return (raw) => {
    if (raw && !hooked) {
      hooked = true;
      process.once('exit', restore);
    }
    process.stdin.setRawMode(raw);
    // Node's raw mode keeps output post-processing, so each newline the container's own tty
    // sends goes out as CR CR LF, and a full-screen program's bare LF (cursor down) becomes a
    // jump to the first column. `stty` on the same terminal turns it off; leaving raw mode
    // restores the settings saved when it was entered, this one included.
    if (raw) spawnSync('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
  };
}

function stdoutTerminal(): TerminalSizeSource {
  return {
    current: () => (process.stdout.rows > 0 && process.stdout.columns > 0 ? { rows: process.stdout.rows, cols: process.stdout.columns } : undefined),
    // Node turns SIGWINCH into this event.
    onChange: (listener) => {
      process.stdout.on('resize', listener);
      return () => void process.stdout.off('resize', listener);
    },
  };
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
    ...(process.stdin.isTTY === true ? { setRawMode: rawModeSwitch() } : {}),
    ...(process.stdout.isTTY === true ? { terminal: stdoutTerminal() } : {}),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
