/** Newline-delimited JSON objects from a progress stream (pull, build, events). */
export async function* jsonObjects(source: AsyncIterable<Buffer | string>): AsyncGenerator<Record<string, unknown>> {
  let pending = '';
  const decoder = new TextDecoder('utf-8');
  const parse = (line: string): Record<string, unknown> | undefined => {
    const trimmed = line.trim();
    if (trimmed === '') return undefined;
    try {
      const value: unknown = JSON.parse(trimmed);
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    } catch {
      // Proxies sometimes interleave non-JSON noise; it carries nothing berth reports.
      return undefined;
    }
  };
  for await (const chunk of source) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const obj = parse(line);
      if (obj !== undefined) yield obj;
    }
  }
  const last = parse(pending + decoder.decode());
  if (last !== undefined) yield last;
}

/** The failure message a progress object carries, if any. */
export function progressError(obj: Record<string, unknown>): string | undefined {
  const detail = obj.errorDetail;
  if (typeof detail === 'object' && detail !== null) {
    const message = (detail as { message?: unknown }).message;
    if (typeof message === 'string' && message !== '') return message;
  }
  return typeof obj.error === 'string' && obj.error !== '' ? obj.error : undefined;
}
