import { setTimeout as delay } from 'node:timers/promises';
import type { TerminalSize, TerminalSizeSource } from './engine.js';

/** How often a size the engine could not apply yet (its tty does not exist yet) is tried again. */
const RETRY_MS = 50;

/**
 * Keeps a tty at the terminal's size through `resize`, which resolves true once the size was
 * applied and false (or rejects) while the tty does not exist yet: with `initial`, the current
 * size is retried until it takes; every later change is applied as it comes. Returns the
 * function that stops; callers always call it when the session ends.
 */
export function followTerminal(
  terminal: TerminalSizeSource,
  resize: (size: TerminalSize) => Promise<boolean>,
  opts: { initial: boolean } = { initial: true },
): () => void {
  const ac = new AbortController();
  const apply = async (): Promise<boolean> => {
    const size = terminal.current();
    return size === undefined ? true : resize(size).catch(() => false);
  };
  const stopListening = terminal.onChange(() => void apply());
  if (opts.initial) {
    void (async () => {
      while (!ac.signal.aborted && !(await apply())) await delay(RETRY_MS, undefined, { signal: ac.signal }).catch(() => undefined);
    })();
  }
  return () => {
    ac.abort();
    stopListening();
  };
}
