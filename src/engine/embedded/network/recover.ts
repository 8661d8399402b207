/** Crash and reboot recovery of one engine root's network objects. */
import { readdir } from 'node:fs/promises';
import { createBridge, linkExists, type NetContext } from './bridge.js';
import { refreshHosts, teardownRecord } from './container-net.js';
import { ipBatchForce, mustRun } from './host-tools.js';
import { containerTag } from './names.js';

interface LinkInfo {
  ifname: string;
  ifalias?: string;
}

/** `live(id)` is asked under the network lock, so a container being set up right now counts as live. */
export async function recover(ctx: NetContext, live: (containerId: string) => boolean): Promise<void> {
  const prefix = `berth:${ctx.names.rootHash}:`;
  const netPrefix = `${prefix}net:`;
  for (const rec of await ctx.store.endpoints()) if (!live(rec.containerId)) await teardownRecord(ctx, rec);
  const [nets, endpoints] = await Promise.all([ctx.store.networks(), ctx.store.endpoints()]);
  const netIds = new Set(nets.map((n) => n.id));
  const kept = new Set(endpoints.map((e) => e.containerId));
  const keptNetns = new Set(endpoints.map((e) => e.netns));

  const doomed: string[] = [];
  const nsPrefix = `bth-${ctx.names.rootHash}-`;
  const nsNames = await readdir('/run/netns').catch(() => [] as string[]);
  for (const ns of nsNames) if (ns.startsWith(nsPrefix) && !keptNetns.has(ns)) doomed.push(`netns del ${ns}`);
  const out = await mustRun(ctx.tools.ip, ['-j', 'link', 'show'], undefined, { operation: 'recover', resource: 'network', what: 'cannot list links' });
  for (const link of JSON.parse(out === '' ? '[]' : out) as LinkInfo[]) {
    const alias = link.ifalias ?? '';
    if (!alias.startsWith(prefix)) continue;
    const owner = alias.slice(prefix.length);
    const stale = alias.startsWith(netPrefix) ? !netIds.has(alias.slice(netPrefix.length)) : !kept.has(owner);
    if (stale) doomed.unshift(`link del ${link.ifname}`);
  }
  await ipBatchForce(ctx.tools, doomed);

  if (nets.length === 0) {
    await ctx.firewall.deleteTagged(() => true);
    await ctx.firewall.removeBase();
  } else {
    await ctx.firewall.ensureBase();
    await ctx.firewall.deleteTagged((tag) => {
      const owner = tag.slice(prefix.length);
      return tag.startsWith(netPrefix) ? !netIds.has(tag.slice(netPrefix.length)) : !kept.has(owner);
    });
    for (const net of nets) {
      if (!(await linkExists(net.bridge))) await createBridge(ctx, net, 'recover');
    }
  }
  if (nets.length > 0) {
    // Port rules of live containers lost to a firewall flush come back too.
    const tags = await ctx.firewall.tags();
    for (const e of endpoints) {
      const tag = containerTag(ctx.names, e.containerId);
      if (e.ports.length > 0 && !tags.has(tag)) await ctx.firewall.add(ctx.firewall.portRules(e.ports, tag));
    }
  }
  await refreshHosts(ctx);
}
