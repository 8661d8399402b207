/** What watching reports, one entry per action; the CLI turns each into one line. */
export type WatchAction = 'rebuild' | 'sync' | 'restart' | 'exec' | 'reload';

export type WatchReport =
  | { type: 'enabled'; services: string[] }
  | { type: 'synced'; service: string; files: number; elapsedMs: number; /** From the first file event of the batch. */ sinceEventMs: number }
  | { type: 'deleted'; service: string; files: number }
  | { type: 'rebuilt'; service: string; elapsedMs: number; recreated: string[] }
  | { type: 'restarted'; service: string }
  | { type: 'exec'; service: string; exitCode: number; output?: string }
  | { type: 'reloaded'; elapsedMs: number }
  | { type: 'large-batch'; files: number }
  | { type: 'failed'; service?: string; action: WatchAction; reason: string }
  | { type: 'disabled' };

export type WatchReporter = (report: WatchReport) => void;

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
