import { CommanderError } from 'commander';
import { CommandError, ProjectLoadError, ReportedError, UsageError } from '../errors/diagnostic.js';
import { isEngineError } from '../engine/engine-error.js';
import { processIo, type CliIo } from './io.js';
import { buildProgram } from './program.js';

/** Runs berth with the given I/O and returns the exit code (DESIGN.md: 0 ok, 1 error, 130 interrupted). */
export async function runCli(io: CliIo, abort: AbortController = new AbortController()): Promise<number> {
  let exitCode = 0;
  const closer = { current: (): Promise<void> => Promise.resolve() };
  const program = await buildProgram(
    io,
    (code) => {
      exitCode = code;
    },
    abort,
    closer,
  );
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
    return abort.signal.aborted && exitCode === 0 ? 130 : exitCode;
  } catch (err) {
    if (err instanceof ReportedError) return err.exitCode;
    if (abort.signal.aborted) return 130;
    if (err instanceof CommanderError) {
      // Help and version "errors" are successful exits.
      return err.exitCode === 0 ? 0 : 1;
    }
    if (err instanceof UsageError || err instanceof ProjectLoadError) {
      io.writeErr(`error: ${err.message}\n`);
      return 1;
    }
    if (err instanceof CommandError) {
      io.writeErr(`error: ${err.message}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    if (isEngineError(err)) {
      io.writeErr(`error: ${e.message}\n`);
      return 1;
    }
    io.writeErr(`error: internal error in berth: ${e.stack ?? String(e)}\nThis is a bug; please report it with the command you ran.\n`);
    return 1;
  } finally {
    await closer.current().catch(() => undefined);
  }
}

export async function main(): Promise<void> {
  const io = processIo();
  const abort = new AbortController();
  // First interrupt: stop gracefully (commands watch the signal); second: leave at once.
  const onSignal = (): void => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await runCli(io, abort);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.exitCode = code;
}
