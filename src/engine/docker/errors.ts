import { EngineError } from '../engine-error.js';
import type { EngineErrorKind } from '../engine-error.js';

/** What dockerode / docker-modem attach to a failed request. */
interface ModemError {
  statusCode?: number;
  json?: unknown;
  reason?: string;
  code?: string;
  message?: string;
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

export function statusCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as ModemError).statusCode;
  return typeof code === 'number' ? code : undefined;
}

function kindOf(err: unknown): EngineErrorKind {
  const status = statusCodeOf(err);
  if (status !== undefined) {
    if (status === 404) return 'not-found';
    if (status === 409) return 'conflict';
    if (status === 501) return 'unsupported';
    return 'failed';
  }
  const code = typeof err === 'object' && err !== null ? (err as ModemError).code : undefined;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return 'unavailable';
  return 'failed';
}

/** The daemon's own message, without docker-modem's `(HTTP code …) reason -` decoration. */
export function daemonMessage(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const e = err as ModemError;
  const json = e.json;
  if (typeof json === 'object' && json !== null && typeof (json as { message?: unknown }).message === 'string') {
    return ((json as { message: string }).message).trim();
  }
  if (typeof json === 'string' && json.trim() !== '') return json.trim();
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString('utf8').trim();
  const msg = typeof e.message === 'string' ? e.message : 'unknown error';
  return msg.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/** Wraps any failure of a dockerode call into an EngineError, keeping the daemon's message. */
export function toEngineError(err: unknown, operation: string, resource: string): EngineError {
  if (err instanceof EngineError) return err;
  const kind = kindOf(err);
  const subject = resource === '' ? operation : `${operation} ${resource}`;
  let detail = daemonMessage(err);
  if (kind === 'unavailable') detail = `cannot reach the Docker Engine: ${detail}`;
  return new EngineError(kind, operation, resource, `${subject}: ${detail}`, { cause: err });
}

/** Runs a dockerode call and converts its failure. */
export async function call<T>(operation: string, resource: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toEngineError(err, operation, resource);
  }
}

/** Like `call`, but a 304 (already in the requested state) counts as success. */
export async function callIdempotent(operation: string, resource: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (statusCodeOf(err) === 304) return;
    throw toEngineError(err, operation, resource);
  }
}

/** Read through a function so TypeScript does not narrow `aborted` across awaits. */
export function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
