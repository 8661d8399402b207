import { createRequire } from 'node:module';
import type { Document, Node as YamlNode, Scalar } from 'yaml';
import type * as YamlModule from 'yaml';
import type { DiagnosticBag, SourceLocation } from '../errors/diagnostic.js';
import { formatPath } from '../errors/diagnostic.js';
import type { RawMap, RawValue } from './raw.js';
import { copyEntryMeta, isRawMap, keyLocation, setEntryLocation, setSelfLocation, setTag } from './raw.js';
import { fastParseCompose } from './yaml-fast/index.js';

type YamlLibrary = typeof YamlModule;
let yamlLibrary: YamlLibrary | undefined;

/**
 * The `yaml` package, loaded on first use: the fast path reads almost every compose file,
 * and loading the library's many modules costs more than parsing a typical file.
 */
function yamlLib(): YamlLibrary {
  return (yamlLibrary ??= createRequire(import.meta.url)('yaml') as YamlLibrary);
}


/** Alias expansion beyond this many nodes is treated as an alias bomb. */
const MAX_NODE_VISITS = 100_000;

/** Keys whose integer values are file modes: YAML 1.1 octals (`0440`) are read as octal. */
const MODE_KEYS = new Set(['mode']);

class AliasBombError extends Error {}

interface Ctx {
  readonly file: string;
  readonly doc: Document.Parsed;
  readonly lines: InstanceType<YamlLibrary['LineCounter']>;
  readonly diags: DiagnosticBag;
  /** Anchored nodes by name, in document order (an anchor may be redefined). */
  readonly anchors: Map<string, YamlNode[]>;
  /** Anchored nodes being expanded, to stop an alias inside its own anchor. */
  readonly expanding: Set<YamlNode>;
  visits: number;
}

function indexAnchors(doc: Document.Parsed): Map<string, YamlNode[]> {
  const anchors = new Map<string, YamlNode[]>();
  yamlLib().visit(doc, (_key, node) => {
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
  // The hand-written reader covers what compose files normally contain and gives the same
  // result; anything else (including every error) goes through the `yaml` package.
  const fast = fastParseCompose(text, file);
  if (fast !== undefined) return fast;
  return parseWithLibrary(text, file, diags);
}

/** The `yaml` package path: the reference behaviour, and the only one that reports problems. */
export function parseWithLibrary(text: string, file: string, diags: DiagnosticBag): RawMap[] {
  const lines = new (yamlLib().LineCounter)();
  let list: Document.Parsed[];
  try {
    const docs = yamlLib().parseAllDocuments(text.replace(/^\uFEFF/, ''), {
      lineCounter: lines,
      prettyErrors: false,
      // Duplicate keys are reported by the conversion below, with the first key's line.
      uniqueKeys: false,
      version: '1.2',
      strict: false,
    });
    list = Array.isArray(docs) ? docs : [];
  } catch (err) {
    // The parser throws on a few malformed inputs (e.g. an escape outside Unicode).
    diags.error('yaml', `invalid YAML: ${(err as Error).message}`, { file, line: 1, col: 1 });
    return [];
  }
  const out: RawMap[] = [];
  for (const doc of list) {
    let bad = false;
    for (const e of doc.errors) {
      bad = true;
      diags.error('yaml', cleanYamlMessage(e.message), at(lines, file, e.pos[0]));
    }
    if (bad) continue;
    const anchors = text.includes('&') ? indexAnchors(doc) : new Map<string, YamlNode[]>();
    const ctx: Ctx = { file, doc, lines, diags, anchors, expanding: new Set(), visits: 0 };
    const root = doc.contents;
    if (root === null || (yamlLib().isScalar(root) && root.value === null)) continue;
    if (!yamlLib().isMap(root)) {
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

function at(lines: InstanceType<YamlLibrary['LineCounter']>, file: string, offset: number): SourceLocation {
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
  if (yamlLib().isAlias(node)) {
    const target = resolveAlias(ctx, node);
    if (target === undefined) {
      ctx.diags.error('yaml', `unknown alias *${node.source}`, locOf(ctx, node), path);
      return null;
    }
    if (ctx.expanding.has(target)) {
      ctx.diags.error('yaml', `alias *${node.source} refers to a node that contains it`, locOf(ctx, node), path);
      return null;
    }
    ctx.expanding.add(target);
    try {
      return convert(ctx, target, path, key);
    } finally {
      ctx.expanding.delete(target);
    }
  }
  if (yamlLib().isScalar(node)) return scalarValue(ctx, node, path, key);
  if (yamlLib().isSeq(node)) {
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
  if (yamlLib().isMap(node)) {
    const out: RawMap = {};
    setSelfLocation(out, locOf(ctx, node));
    const mergeSources: RawMap[] = [];
    for (const pair of node.items) {
      if (!yamlLib().isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const valueNode = pair.value as YamlNode | null;
      if (yamlLib().isScalar(keyNode) && keyNode.value === '<<' && keyNode.type === 'PLAIN') {
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
  const nodes: Array<YamlNode | null> = yamlLib().isSeq(valueNode) ? (valueNode.items as Array<YamlNode | null>) : [valueNode];
  const out: RawMap[] = [];
  for (const n of nodes) {
    const v = convert(ctx, n, path);
    if (isRawMap(v)) out.push(v);
    else ctx.diags.error('yaml', 'merge key << must refer to a mapping or a sequence of mappings', locOf(ctx, n), path);
  }
  return out;
}

function keyString(ctx: Ctx, keyNode: YamlNode | null, path: Array<string | number>): string | undefined {
  if (yamlLib().isScalar(keyNode) && typeof keyNode.value === 'string') return keyNode.value;
  const where = formatPath(path) || 'the top level';
  const shown = yamlLib().isScalar(keyNode) ? String(keyNode.value) : keyNode === null ? 'null' : 'a collection';
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

