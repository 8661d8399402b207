/** What happened to one path, as far as the watcher can tell. */
export type FileChangeKind = 'write' | 'delete';

export interface FileChange {
  /** Absolute host path. */
  path: string;
  kind: FileChangeKind;
}

/**
 * The changes of one quiet period, de-duplicated (last event per path wins) and sorted by path,
 * so the same burst always gives the same batch.
 */
export interface FileChangeBatch {
  changes: FileChange[];
  /** When the first event of the batch arrived (ms since the epoch), for latency reports. */
  firstEventAt: number;
  /** When the batch was flushed. */
  flushedAt: number;
}
