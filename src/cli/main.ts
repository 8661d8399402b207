import { CommanderError } from 'commander';
import { ProjectLoadError, UsageError } from '../errors/diagnostic.js';
import { processIo, type CliIo } from './io.js';
import { buildProgram } from './program.js';

/** Runs berth with the given I/O and returns the exit code (DESIGN.md: 0 ok, 1 error, 130 interrupted). */
export async function runCli(io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  program.exitOverride();
  program.configureOutput({
    writeOut: (t) => io.writeOut(t),
    writeErr: (t) => io.writeErr(t),
    outputError: (t, write) => write(t.startsWith('error:') ? t : `error: ${t}`),
  });
  for (const sub of program.commands) {
    sub.exitOverride();
    sub.configureOutput({ writeOut: (t) => io.writeOut(t), writeErr: (t) => io.writeErr(t) });
  }
  try {
    await program.parseAsync([...io.argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version "errors" are successful exits.
      return err.exitCode === 0 ? 0 : 1;
    }
    if (err instanceof UsageError || err instanceof ProjectLoadError) {
      io.writeErr(`error: ${err.message}\n`);
      return 1;
    }
    const e = err as Error;
    io.writeErr(`error: internal error in berth: ${e.stack ?? String(e)}\nThis is a bug; please report it with the command you ran.\n`);
    return 1;
  }
}

export async function main(): Promise<void> {
  const io = processIo();
  const code = await runCli(io);
  process.exitCode = code;
}
