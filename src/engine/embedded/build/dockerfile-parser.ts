/**
 * Dockerfile text → logical lines: parser directives (`# escape=`, `# syntax=` — the latter
 * ignored), comments, line continuations with the escape character, the keyword and its
 * leading `--flag[=value]` options. Typing the instructions is instructions.ts's job.
 */
export class DockerfileError extends Error {
  constructor(readonly line: number, message: string) {
    super(`dockerfile parse error on line ${line}: ${message}`);
    this.name = 'DockerfileError';
  }
}

export interface RawInstruction {
  /** Upper-case keyword. */
  keyword: string;
  /** Text after the keyword and its flags, trimmed. */
  args: string;
  /** `--name=value` flags (`--name` alone has value `''`). */
  flags: Array<{ name: string; value: string }>;
  /** The logical line as written (continuations joined), for step messages and history. */
  original: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

export interface ParsedDockerfile {
  escape: string;
  instructions: RawInstruction[];
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9_]*)\s*=\s*(.*?)\s*$/;
const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);

/** Instructions whose leading `--x` words are flags (elsewhere they are arguments). */
const FLAG_KEYWORDS = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);

function readDirectives(lines: readonly string[]): { escape: string; consumed: number } {
  let escape = '\\';
  const seen = new Set<string>();
  let i = 0;
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]!);
    if (m === null) break;
    const name = m[1]!.toLowerCase();
    if (!KNOWN_DIRECTIVES.has(name)) break;
    if (seen.has(name)) throw new DockerfileError(i + 1, `only one ${name} parser directive can be used`);
    seen.add(name);
    if (name === 'escape') {
      const value = m[2]!;
      if (value !== '\\' && value !== '`') throw new DockerfileError(i + 1, `invalid escape token '${value}' does not match ` + '` or \\');
      escape = value;
    }
  }
  return { escape, consumed: i };
}

function splitFlags(keyword: string, rest: string): { flags: RawInstruction['flags']; args: string } {
  const flags: RawInstruction['flags'] = [];
  if (!FLAG_KEYWORDS.has(keyword)) return { flags, args: rest };
  let args = rest;
  for (;;) {
    const m = /^--([A-Za-z][A-Za-z0-9-]*)(?:=(\S*))?(?:\s+|$)/.exec(args);
    if (m === null) break;
    flags.push({ name: m[1]!.toLowerCase(), value: m[2] ?? '' });
    args = args.slice(m[0].length);
  }
  return { flags, args: args.trim() };
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const { escape, consumed } = readDirectives(lines);
  const continuation = new RegExp(`${escape === '\\' ? '\\\\' : '`'}[ \\t]*$`);
  const instructions: RawInstruction[] = [];
  for (let i = consumed; i < lines.length; i++) {
    const first = lines[i]!;
    const trimmed = first.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const start = i + 1;
    let logical = trimmed;
    while (continuation.test(logical)) {
      logical = logical.replace(continuation, '');
      let next: string | undefined;
      // Comment and empty lines inside a continued instruction are dropped, as Docker does.
      while (++i < lines.length) {
        const candidate = lines[i]!;
        const t = candidate.trimStart();
        if (t.startsWith('#') || t === '') continue;
        next = candidate;
        break;
      }
      if (next === undefined) break;
      logical += next;
    }
    logical = logical.trim();
    const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(logical);
    if (m === null) continue;
    const keyword = m[1]!.toUpperCase();
    const { flags, args } = splitFlags(keyword, (m[2] ?? '').trim());
    instructions.push({ keyword, args, flags, original: logical, line: start });
  }
  return { escape, instructions };
}

/** A JSON array of strings (exec form), or undefined when the text is not one (shell form). */
export function parseJsonArray(text: string): string[] | undefined {
  const t = text.trim();
  if (!t.startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) return undefined;
  return parsed;
}
