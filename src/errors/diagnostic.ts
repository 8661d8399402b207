/** Where a problem was found: a 1-based line and column in a file. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export type Severity = 'error' | 'warning';

/**
 * One problem found while loading or checking a project. Every problem that comes from a
 * compose file carries the location of the YAML node that caused it and its model path
 * (`services.web.ports[0]`).
 */
export interface Diagnostic {
  readonly severity: Severity;
  /** Stable machine-readable code, e.g. `schema`, `interpolation`, `merge`, `consistency`. */
  readonly code: string;
  readonly message: string;
  readonly location?: SourceLocation;
  readonly path?: string;
}

/** Path segments as used by the loader: map keys and sequence indices. */
export type ModelPath = ReadonlyArray<string | number>;

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** Renders `['services', 'web', 'ports', 0]` as `services.web.ports[0]`. */
export function formatPath(path: ModelPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function formatLocation(loc: SourceLocation, relativeTo?: string): string {
  let file = loc.file;
  if (relativeTo !== undefined && file.startsWith(relativeTo + '/')) file = file.slice(relativeTo.length + 1);
  return `${file}:${loc.line}:${loc.col}`;
}

/** `compose.yaml:12:7: services.web.privileged: must be a boolean` */
export function formatDiagnostic(d: Diagnostic, relativeTo?: string): string {
  const parts: string[] = [];
  if (d.location !== undefined) parts.push(formatLocation(d.location, relativeTo));
  if (d.path !== undefined && d.path !== '' && !d.message.startsWith(d.path)) parts.push(d.path);
  parts.push(d.message);
  return parts.join(': ');
}

function compareLoc(a: SourceLocation | undefined, b: SourceLocation | undefined): number {
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  return a.col - b.col;
}

/** Deterministic order: errors before warnings, then by file, line, column, message. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => {
    if (a.severity !== b.severity) return a.severity === 'error' ? -1 : 1;
    const byLoc = compareLoc(a.location, b.location);
    if (byLoc !== 0) return byLoc;
    return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
  });
}

/**
 * Collects diagnostics across loader stages. Duplicates (same severity, message and
 * location) are dropped so that a problem seen by two stages is reported once.
 */
export class DiagnosticBag {
  readonly #items: Diagnostic[] = [];
  readonly #seen = new Set<string>();

  add(d: Diagnostic): void {
    const key = `${d.severity}\0${d.message}\0${d.path ?? ''}\0${d.location ? formatLocation(d.location) : ''}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.#items.push(d);
  }

  error(code: string, message: string, location?: SourceLocation, path?: ModelPath | string): void {
    this.add(make('error', code, message, location, path));
  }

  warn(code: string, message: string, location?: SourceLocation, path?: ModelPath | string): void {
    this.add(make('warning', code, message, location, path));
  }

  get hasErrors(): boolean {
    return this.#items.some((d) => d.severity === 'error');
  }

  get items(): readonly Diagnostic[] {
    return this.#items;
  }

  sorted(): Diagnostic[] {
    return sortDiagnostics(this.#items);
  }
}

function make(
  severity: Severity,
  code: string,
  message: string,
  location: SourceLocation | undefined,
  path: ModelPath | string | undefined,
): Diagnostic {
  const p = path === undefined ? undefined : typeof path === 'string' ? path : formatPath(path);
  return {
    severity,
    code,
    message,
    ...(location !== undefined ? { location } : {}),
    ...(p !== undefined && p !== '' ? { path: p } : {}),
  };
}

/** Thrown by a use case when loading produced errors; carries every diagnostic. */
export class ProjectLoadError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(errors.map((d) => formatDiagnostic(d)).join('\n') || 'the project could not be loaded');
    this.name = 'ProjectLoadError';
    this.diagnostics = diagnostics;
  }
}

/** A problem in how berth was called (flags, arguments); exit code 1, no stack. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A command could not do what was asked (a dependency failed, a resource is missing, the
 * project is locked): the CLI prints `error: <message>` without a stack and exits `exitCode`.
 */
export class CommandError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CommandError';
    this.exitCode = exitCode;
  }
}

/** An error already shown to the user; the CLI only sets the exit code. */
export class ReportedError extends Error {
  readonly exitCode: number;
  constructor(exitCode = 1) {
    super('error already reported');
    this.name = 'ReportedError';
    this.exitCode = exitCode;
  }
}
