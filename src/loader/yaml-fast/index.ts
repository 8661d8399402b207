import type { RawMap } from '../raw.js';
import { blockMap } from './block.js';
import { bail, finishLine, isBail, isBlankOrEnd, nextLine, St } from './state.js';

export { lastBailReason } from './state.js';

/**
 * Reads a compose file with a hand-written reader for the YAML subset compose files use.
 * Gives exactly what `parseComposeYaml`'s library path gives (values, positions, tags),
 * or `undefined` for anything unusual or wrong, so that the caller falls back to the
 * `yaml` package, which also makes the exact error messages.
 */
export function fastParseCompose(text: string, file: string): RawMap[] | undefined {
  try {
    return readStream(new St(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, file));
  } catch (err) {
    if (isBail(err)) return undefined;
    throw err;
  }
}

function readStream(st: St): RawMap[] {
  const out: RawMap[] = [];
  st.pos = -1; // nextLine steps over the (virtual) line break before the first line
  nextLine(st);
  let open = false; // a `---` was seen and its document has no content yet
  for (;;) {
    if (st.pos >= st.len) {
      if (open) bail('empty document');
      break;
    }
    if (st.indent === -1) {
      const dashes = st.code(st.pos) === 0x2d;
      if (open || (!dashes && out.length === 0)) bail('empty document');
      open = dashes;
      st.pos += 3;
      finishLine(st);
      continue;
    }
    const c = st.code(st.pos);
    // Directives, and roots that are not block mappings, are left to the slow path.
    const dash = c === 0x2d && isBlankOrEnd(st.code(st.pos + 1));
    if (c === 0x25 || c === 0x26 || c === 0x21 || c === 0x5b || c === 0x7b || dash) bail('document start');
    st.anchors = new Map();
    st.visits = 0;
    const root = blockMap(st, st.indent);
    if (st.indent !== -1) bail('content after the root mapping');
    out.push(root);
    open = false;
  }
  if (out.length === 0) bail('no documents');
  return out;
}
