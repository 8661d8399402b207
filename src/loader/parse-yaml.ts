import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit } from 'yaml';
import type { Document, Node as YamlNode, Scalar } from 'yaml';
import type { DiagnosticBag, SourceLocation } from '../errors/diagnostic.js';
import { formatPath } from '../errors/diagnostic.js';
import type { RawMap, RawValue } from './raw.js';
import { copyEntryMeta, isRawMap, keyLocation, setEntryLocation, setSelfLocation, setTag } from './raw.js';

/** Alias expansion beyond this many nodes is treated as an alias bomb. */
const MAX_NODE_VISITS = 100_000;

/** Keys whose integer values are file modes: YAML 1.1 octals (`0440`) are read as octal. */
const MODE_KEYS = new Set(['mode']);

class AliasBombError extends Error {}

interface Ctx {
  readonly file: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
  readonly diags: DiagnosticBag;
  /** Anchored nodes by name, in document order (an anchor may be redefined). */
  readonly anchors: Map<string, YamlNode[]>;
  visits: number;
}

function indexAnchors(doc: Document.Parsed): Map<string, YamlNode[]> {
  const anchors = new Map<string, YamlNode[]>();
  visit(doc, (_key, node) => {
    const anchor = (node as { anchor?: unknown } | null)?.anchor;
    if (typeof anchor === 'string' && anchor !== '') {
      const list = anchors.get(anchor) ?? [];
      list.push(node as YamlNode);
      anchors.set(anchor, list);
    }
  });
  return anchors;
}

/** The node an alias refers to: the last anchor of that name defined before the alias. */
function resolveAlias(ctx: Ctx, alias: YamlNode & { source: string }): YamlNode | undefined {
  const list = ctx.anchors.get(alias.source);
  if (list === undefined) return undefined;
  const at = alias.range?.[0] ?? Number.MAX_SAFE_INTEGER;
  let found: YamlNode | undefined;
  for (const n of list) if ((n.range?.[0] ?? 0) < at) found = n;
  return found;
}

/**
 * Parses one compose file into one raw mapping per YAML document, keeping the position of
 * every node and the `!reset` / `!override` tags. Problems go to `diags`; a document that
 * cannot be used is left out of the result.
 */
export function parseComposeYaml(text: string, file: string, diags: DiagnosticBag): RawMap[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text.replace(/^\uFEFF/, ''), {
    lineCounter: lines,
    prettyErrors: false,
    // Duplicate keys are reported by the conversion below, with the first key's line.
    uniqueKeys: false,
    version: '1.2',
    strict: false,
  });
  const list = Array.isArray(docs) ? docs : [];
  const out: RawMap[] = [];
  for (const doc of list) {
    let bad = false;
    for (const e of doc.errors) {
      bad = true;
      diags.error('yaml', cleanYamlMessage(e.message), at(lines, file, e.pos[0]));
    }
    if (bad) continue;
    const anchors = text.includes('&') ? indexAnchors(doc) : new Map<string, YamlNode[]>();
    const ctx: Ctx = { file, doc, lines, diags, anchors, visits: 0 };
    const root = doc.contents;
    if (root === null || (isScalar(root) && root.value === null)) continue;
    if (!isMap(root)) {
      diags.error('yaml', 'top-level object must be a mapping', locOf(ctx, root));
      continue;
    }
    try {
      const value = convert(ctx, root, []);
      if (isRawMap(value)) out.push(value);
    } catch (err) {
      if (err instanceof AliasBombError) {
        diags.error('yaml', `document contains too many aliased nodes (more than ${MAX_NODE_VISITS})`, locOf(ctx, root));
        continue;
      }
      throw err;
    }
  }
  if (out.length === 0 && !diags.hasErrors) diags.error('yaml', 'empty compose file', { file, line: 1, col: 1 });
  return out;
}

function cleanYamlMessage(message: string): string {
  // The parser appends its own "at line N, column M" and a code excerpt; we print positions ourselves.
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim();
}

function at(lines: LineCounter, file: string, offset: number): SourceLocation {
  const p = lines.linePos(offset);
  return { file, line: p.line, col: p.col };
}

function locOf(ctx: Ctx, node: YamlNode | null | undefined): SourceLocation | undefined {
  const range = node?.range;
  if (range === undefined || range === null) return undefined;
  return at(ctx.lines, ctx.file, range[0]);
}

function tagOfNode(node: YamlNode | null | undefined): 'reset' | 'override' | undefined {
  const tag = node?.tag;
  if (tag === '!reset') return 'reset';
  if (tag === '!override') return 'override';
  return undefined;
}

function convert(ctx: Ctx, node: YamlNode | null, path: Array<string | number>, key?: string): RawValue {
  if (++ctx.visits > MAX_NODE_VISITS) throw new AliasBombError();
  if (node === null) return null;
  if (isAlias(node)) {
    const target = resolveAlias(ctx, node);
    if (target === undefined) {
      ctx.diags.error('yaml', `unknown alias *${node.source}`, locOf(ctx, node), path);
      return null;
    }
    return convert(ctx, target, path, key);
  }
  if (isScalar(node)) return scalarValue(ctx, node, path, key);
  if (isSeq(node)) {
    const out: RawValue[] = [];
    setSelfLocation(out, locOf(ctx, node));
    node.items.forEach((item, i) => {
      const child = item as YamlNode | null;
      out.push(convert(ctx, child, [...path, i]));
      setEntryLocation(out, i, locOf(ctx, child) ?? locOf(ctx, node));
      const tag = tagOfNode(child);
      if (tag !== undefined) setTag(out, i, tag);
    });
    return out;
  }
  if (isMap(node)) {
    const out: RawMap = {};
    setSelfLocation(out, locOf(ctx, node));
    const mergeSources: RawMap[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const valueNode = pair.value as YamlNode | null;
      if (isScalar(keyNode) && keyNode.value === '<<' && keyNode.type === 'PLAIN') {
        mergeSources.push(...mergeKeySources(ctx, valueNode, path));
        continue;
      }
      const k = keyString(ctx, keyNode, path);
      if (k === undefined) continue;
      if (Object.prototype.hasOwnProperty.call(out, k)) {
        const first = keyLocation(out, k);
        ctx.diags.error('yaml', `mapping key "${k}" already defined at line ${first?.line ?? '?'}`, locOf(ctx, keyNode), [...path, k]);
        continue;
      }
      out[k] = convert(ctx, valueNode, [...path, k], k);
      setEntryLocation(out, k, locOf(ctx, valueNode) ?? locOf(ctx, keyNode), locOf(ctx, keyNode));
      const tag = tagOfNode(valueNode);
      if (tag !== undefined) setTag(out, k, tag);
    }
    // Merge keys: explicit keys win, and among merged maps the first one listed wins.
    for (const src of mergeSources) {
      for (const [k, v] of Object.entries(src)) {
        if (Object.prototype.hasOwnProperty.call(out, k)) continue;
        out[k] = v;
        // Positions of merged entries are those of the anchored mapping.
        copyEntryMeta(src, k, out, k);
      }
    }
    return out;
  }
  ctx.diags.error('yaml', 'unsupported YAML node', locOf(ctx, node), path);
  return null;
}

function mergeKeySources(ctx: Ctx, valueNode: YamlNode | null, path: Array<string | number>): RawMap[] {
  const nodes: Array<YamlNode | null> = isSeq(valueNode) ? (valueNode.items as Array<YamlNode | null>) : [valueNode];
  const out: RawMap[] = [];
  for (const n of nodes) {
    const v = convert(ctx, n, path);
    if (isRawMap(v)) out.push(v);
    else ctx.diags.error('yaml', 'merge key << must refer to a mapping or a sequence of mappings', locOf(ctx, n), path);
  }
  return out;
}

function keyString(ctx: Ctx, keyNode: YamlNode | null, path: Array<string | number>): string | undefined {
  if (isScalar(keyNode) && typeof keyNode.value === 'string') return keyNode.value;
  const where = formatPath(path) || 'the top level';
  const shown = isScalar(keyNode) ? String(keyNode.value) : keyNode === null ? 'null' : 'a collection';
  ctx.diags.error('yaml', `non-string key in ${where}: ${shown}`, locOf(ctx, keyNode) ?? undefined, path);
  return undefined;
}

function scalarValue(ctx: Ctx, node: Scalar, path: Array<string | number>, key: string | undefined): RawValue {
  const v: unknown = node.value;
  if (key !== undefined && MODE_KEYS.has(key) && node.type === 'PLAIN' && typeof node.source === 'string') {
    // YAML 1.1 octal as Compose reads it (go-yaml): 0440 means 0o440.
    if (/^0[0-7]+$/.test(node.source)) return parseInt(node.source, 8);
  }
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  ctx.diags.error('yaml', `unsupported scalar value`, locOf(ctx, node), path);
  return null;
}

