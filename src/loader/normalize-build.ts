import type { ModelPath } from '../errors/diagnostic.js';
import type { RawMap } from './raw.js';
import { copyEntryMeta, entryLocation, isRawMap, setEntryLocation } from './raw.js';
import { resolveBareKeys, toHostsMap } from './normalize-maps.js';
import { getMap, hasOwn, mapAt, replaceEntry, scalarString } from './normalize-util.js';
import type { ServiceContext } from './normalize-fields.js';
import { fail, stringMap } from './normalize-fields.js';

export function fileRefs(m: RawMap, key: string, secretTarget: boolean): void {
  const list = m[key];
  if (!Array.isArray(list)) return;
  list.forEach((item, i) => {
    let ref: RawMap | undefined = isRawMap(item) ? item : undefined;
    if (typeof item === 'string') {
      ref = mapAt(list, i);
      ref.source = item;
      setEntryLocation(ref, 'source', entryLocation(list, i));
      replaceEntry(list, i, ref, item);
    }
    // Only secrets get a default target in docker compose's model; configs default at run time.
    if (ref !== undefined && secretTarget && !hasOwn(ref, 'target') && typeof ref.source === 'string') {
      ref.target = `/run/secrets/${ref.source}`;
    }
  });
}

export function normalizeBuild(ctx: ServiceContext, svc: RawMap): void {
  const raw = svc.build;
  if (typeof raw === 'string') {
    const b = mapAt(svc, 'build');
    b.context = raw;
    setEntryLocation(b, 'context', entryLocation(svc, 'build'));
    svc.build = b;
  }
  const build = getMap(svc, 'build');
  if (build === undefined) return;
  if (!hasOwn(build, 'context')) build.context = '.';
  if (!hasOwn(build, 'dockerfile') && !hasOwn(build, 'dockerfile_inline')) build.dockerfile = 'Dockerfile';
  if (build.args !== undefined) {
    stringMap(build, 'args', 'null');
    const args = getMap(build, 'args');
    if (args !== undefined) resolveBareKeys(args, ctx.lookup, false);
  }
  stringMap(build, 'labels', 'empty');
  stringMap(build, 'additional_contexts', 'empty');
  const ssh = build.ssh;
  if (Array.isArray(ssh)) {
    const out = mapAt(build, 'ssh');
    ssh.forEach((item, i) => {
      const text = scalarString(item);
      const eq = text.indexOf('=');
      const id = eq < 0 ? text : text.slice(0, eq);
      if (eq < 0 && id !== 'default') {
        fail(ctx, ssh, i, ['build', 'ssh', i], `invalid ssh key ${JSON.stringify(text)}`);
        return;
      }
      out[id] = eq < 0 ? null : text.slice(eq + 1);
      copyEntryMeta(ssh, i, out, id);
    });
    replaceEntry(build, 'ssh', out, ssh);
  }
  if (build.extra_hosts !== undefined) hosts(ctx, build, ['build']);
  fileRefs(build, 'secrets', true);
}

export function hosts(ctx: ServiceContext, m: RawMap, rel: ModelPath): void {
  const v = m.extra_hosts;
  if (v === undefined || v === null) return;
  const out = toHostsMap(v, (k, msg) => fail(ctx, typeof v === 'object' ? v : m, k, [...rel, 'extra_hosts', k], msg));
  replaceEntry(m, 'extra_hosts', out, v);
}

