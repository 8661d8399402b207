import { setTimeout as delay } from 'node:timers/promises';
import type { TerminalSize, TerminalSizeSource } from '../engine.js';

/** The daemon refuses a resize until the container (or exec) runs: the first size is retried. */
const RETRY_MS = 50;
const MAX_ATTEMPTS = 200;

/**
 * Keeps a tty at the terminal's size through `resize` (container or exec resize): the current
 * size as soon as the daemon takes it, then every change. Returns the function that stops.
 */
export function followTerminal(terminal: TerminalSizeSource, resize: (size: TerminalSize) => Promise<unknown>): () => void {
  const ac = new AbortController();
  const apply = async (): Promise<boolean> => {
    const size = terminal.current();
    if (size === undefined) return true;
    return resize(size).then(() => true, () => false);
  };
  const stopListening = terminal.onChange(() => void apply());
  void (async () => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS && !ac.signal.aborted; attempt++) {
      if (await apply()) return;
      await delay(RETRY_MS, undefined, { signal: ac.signal }).catch(() => undefined);
    }
  })();
  return () => {
    ac.abort();
    stopListening();
  };
}
