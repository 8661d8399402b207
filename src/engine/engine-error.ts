/** How an engine operation failed, classified from status codes (never from message text). */
export type EngineErrorKind = 'not-found' | 'conflict' | 'unavailable' | 'unsupported' | 'failed';

/** A failed engine operation: what was attempted, on what, and why. */
export class EngineError extends Error {
  readonly kind: EngineErrorKind;
  readonly operation: string;
  readonly resource: string;

  constructor(kind: EngineErrorKind, operation: string, resource: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
    this.kind = kind;
    this.operation = operation;
    this.resource = resource;
  }
}

export function isEngineError(err: unknown, kind?: EngineErrorKind): err is EngineError {
  return err instanceof EngineError && (kind === undefined || err.kind === kind);
}
