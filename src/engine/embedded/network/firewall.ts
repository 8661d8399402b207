/**
 * iptables rules of one engine root, in its own chains: BERTH-<h>-FWD (filter, jumped to
 * first from FORWARD so dockerd's DROP policy + br_netfilter do not eat our traffic),
 * BERTH-<h>-DNAT (nat, from PREROUTING and OUTPUT for local destinations, 127/8 included)
 * and BERTH-<h>-POST (nat, from POSTROUTING). Every rule carries a comment tag, so removal
 * reads `iptables-save` and deletes exactly the tagged lines. Rules are applied with
 * `iptables-restore --noflush` (one spawn, atomic).
 */
import { mustRun, runTool, type ToolPaths } from './host-tools.js';
import type { Names } from './names.js';
import type { EndpointPort } from './network-types.js';

export type Table = 'filter' | 'nat';

export interface Rule {
  table: Table;
  chain: string;
  /** Matches and target, without the comment. */
  spec: string;
  tag: string;
  /** Put at the top of the chain instead of appending. */
  first?: boolean;
}

function ruleLine(op: '-A' | '-I' | '-D', rule: Rule): string {
  return `${op} ${rule.chain}${op === '-I' ? ' 1' : ''} ${rule.spec} -m comment --comment ${rule.tag}`;
}

function restoreText(byTable: Record<Table, string[]>): string {
  let text = '';
  for (const table of ['filter', 'nat'] as const) {
    if (byTable[table].length > 0) text += `*${table}\n${byTable[table].join('\n')}\nCOMMIT\n`;
  }
  return text;
}

/** The comment of a saved rule line, if any. */
function commentOf(line: string): string | undefined {
  const m = / --comment ("?)([^"\s]+)\1(?:\s|$)/.exec(line);
  return m?.[2];
}

export class Firewall {
  private usablePromise: Promise<boolean> | undefined;
  /** The nat table as the usability probe saw it, for a save that follows at once. */
  private probedNat: { lines: string[]; at: number } | undefined;
  /** Set once this process made sure of the chains and hooks (add() repairs them if flushed later). */
  private basePromise: Promise<void> | undefined;

  constructor(private readonly tools: ToolPaths, private readonly names: Names, private readonly mode: 'auto' | 'iptables' | 'proxy' = 'auto') {}

  /**
   * Whether rules can be used at all. Without them (no iptables, or `proxy` asked for) every
   * rule operation does nothing: ports go through the userland proxy, and traffic between
   * networks and out of them is left to the host's own forwarding settings.
   */
  usable(): Promise<boolean> {
    this.usablePromise ??= this.mode === 'proxy'
      ? Promise.resolve(false)
      : this.mode === 'iptables'
        ? Promise.resolve(true)
        : runTool(this.tools.iptablesSave, ['-t', 'nat']).then((r) => {
          if (r.code === 0) this.probedNat = { lines: r.stdout.split('\n'), at: Date.now() };
          return r.code === 0;
        }, () => false);
    return this.usablePromise;
  }

  private async save(table: Table): Promise<string[]> {
    const probed = table === 'nat' ? this.probedNat : undefined;
    if (table === 'nat') this.probedNat = undefined;
    if (probed !== undefined && Date.now() - probed.at < 1000) return probed.lines;
    const out = await mustRun(this.tools.iptablesSave, ['-t', table], undefined, { operation: 'network', resource: table, what: `iptables-save -t ${table} failed` });
    return out.split('\n');
  }

  private async restore(byTable: Record<Table, string[]>, what: string): Promise<void> {
    const text = restoreText(byTable);
    if (text === '') return;
    await mustRun(this.tools.iptablesRestore, ['--noflush'], text, { operation: 'network', resource: 'iptables', what });
  }

  /** Makes sure of the chains and hooks once per process (see createBase). */
  ensureBase(): Promise<void> {
    this.basePromise ??= this.createBase().catch((err: unknown) => {
      this.basePromise = undefined;
      throw err;
    });
    return this.basePromise;
  }

  /** Creates the chains and hooks that are missing (declaring an existing chain would flush it). */
  private async createBase(): Promise<void> {
    if (!(await this.usable())) return;
    const n = this.names;
    const [filter, nat] = await Promise.all([this.save('filter'), this.save('nat')]);
    const has = (lines: string[], text: string): boolean => lines.some((l) => l === text || l.startsWith(`${text} `));
    const hooked = (lines: string[], base: string, chain: string): boolean =>
      lines.some((l) => l.startsWith(`-A ${base} `) && commentOf(l) === n.hookTag && l.endsWith(`-j ${chain}`));
    const want: Record<Table, string[]> = { filter: [], nat: [] };
    if (!has(filter, `:${n.fwdChain}`)) want.filter.push(`:${n.fwdChain} - [0:0]`);
    if (!has(nat, `:${n.dnatChain}`)) want.nat.push(`:${n.dnatChain} - [0:0]`);
    if (!has(nat, `:${n.postChain}`)) want.nat.push(`:${n.postChain} - [0:0]`);
    const tag = `-m comment --comment ${n.hookTag}`;
    if (!hooked(filter, 'FORWARD', n.fwdChain)) want.filter.push(`-I FORWARD 1 ${tag} -j ${n.fwdChain}`);
    if (!hooked(nat, 'PREROUTING', n.dnatChain)) want.nat.push(`-I PREROUTING 1 -m addrtype --dst-type LOCAL ${tag} -j ${n.dnatChain}`);
    if (!hooked(nat, 'OUTPUT', n.dnatChain)) want.nat.push(`-I OUTPUT 1 -m addrtype --dst-type LOCAL ${tag} -j ${n.dnatChain}`);
    if (!hooked(nat, 'POSTROUTING', n.postChain)) want.nat.push(`-I POSTROUTING 1 ${tag} -j ${n.postChain}`);
    await this.restore(want, 'cannot create the berth iptables chains');
  }

  /** Removes hooks and chains of this root (when its last network goes). */
  async removeBase(): Promise<void> {
    this.basePromise = undefined;
    if (!(await this.usable())) return;
    const n = this.names;
    const [filter, nat] = await Promise.all([this.save('filter'), this.save('nat')]);
    const drop = (lines: string[], chains: string[]): string[] => [
      ...lines.filter((l) => l.startsWith('-A ') && commentOf(l) === n.hookTag).map((l) => `-D ${l.slice(3)}`),
      ...chains.filter((c) => lines.includes(`:${c} - [0:0]`) || lines.some((l) => l.startsWith(`:${c} `))).flatMap((c) => [`-F ${c}`, `-X ${c}`]),
    ];
    await this.restore({ filter: drop(filter, [n.fwdChain]), nat: drop(nat, [n.dnatChain, n.postChain]) }, 'cannot remove the berth iptables chains');
  }

  /** Appends rules; when a chain is missing (flushed by someone), recreates the base once and retries. */
  async add(rules: readonly Rule[]): Promise<void> {
    if (!(await this.usable())) return;
    if (rules.length === 0) return;
    const byTable: Record<Table, string[]> = { filter: [], nat: [] };
    for (const r of rules) byTable[r.table].push(ruleLine(r.first === true ? '-I' : '-A', r));
    const text = restoreText(byTable);
    const first = await runTool(this.tools.iptablesRestore, ['--noflush'], text);
    if (first.code === 0) return;
    this.basePromise = undefined;
    await this.ensureBase();
    await this.restore(byTable, 'cannot add iptables rules');
  }

  /**
   * Deletes rules known to have been added (one spawn, no listing); when some are missing
   * (flushed meanwhile) falls back to deleting everything carrying their tags.
   */
  async remove(rules: readonly Rule[]): Promise<void> {
    if (!(await this.usable())) return;
    if (rules.length === 0) return;
    const byTable: Record<Table, string[]> = { filter: [], nat: [] };
    for (const r of rules) byTable[r.table].push(ruleLine('-D', r));
    const first = await runTool(this.tools.iptablesRestore, ['--noflush'], restoreText(byTable));
    if (first.code === 0) return;
    const tags = new Set(rules.map((r) => r.tag));
    await this.deleteTagged((t) => tags.has(t));
  }

  /** Deletes every rule of this root whose tag satisfies `match`; returns the tags deleted. */
  async deleteTagged(match: (tag: string) => boolean): Promise<Set<string>> {
    if (!(await this.usable())) return new Set();
    const prefix = `berth:${this.names.rootHash}:`;
    const found = new Set<string>();
    const byTable: Record<Table, string[]> = { filter: [], nat: [] };
    const [filter, nat] = await Promise.all([this.save('filter'), this.save('nat')]);
    for (const [table, lines] of [['filter', filter], ['nat', nat]] as const) {
      for (const line of lines) {
        const tag = commentOf(line);
        if (!line.startsWith('-A ') || tag === undefined || !tag.startsWith(prefix) || tag === this.names.hookTag || !match(tag)) continue;
        found.add(tag);
        byTable[table].push(`-D ${line.slice(3)}`);
      }
    }
    await this.restore(byTable, 'cannot delete iptables rules');
    return found;
  }

  /** Every tag of this root present in the rules (for recovery). */
  async tags(): Promise<Set<string>> {
    if (!(await this.usable())) return new Set();
    const prefix = `berth:${this.names.rootHash}:`;
    const [filter, nat] = await Promise.all([this.save('filter'), this.save('nat')]);
    const out = new Set<string>();
    for (const line of [...filter, ...nat]) {
      const tag = commentOf(line);
      if (line.startsWith('-A ') && tag !== undefined && tag.startsWith(prefix)) out.add(tag);
    }
    return out;
  }

  /** Forwarding and NAT of one bridge network. */
  networkRules(net: { bridge: string; subnet: string; internal: boolean }, tag: string): Rule[] {
    const { fwdChain: fwd, postChain: post } = this.names;
    const br = net.bridge;
    if (net.internal) {
      return [
        { table: 'filter', chain: fwd, spec: `-i ${br} -o ${br} -j ACCEPT`, tag },
        { table: 'filter', chain: fwd, spec: `-i ${br} ! -o ${br} -j DROP`, tag },
        { table: 'filter', chain: fwd, spec: `-o ${br} ! -i ${br} -j DROP`, tag },
      ];
    }
    // Networks are isolated from each other like Docker's (no traffic between two bth- bridges);
    // published ports are accepted by rules put above these.
    return [
      { table: 'filter', chain: fwd, spec: `-i ${br} -o ${br} -j ACCEPT`, tag },
      { table: 'filter', chain: fwd, spec: `-i ${br} -o bth-+ -j DROP`, tag },
      { table: 'filter', chain: fwd, spec: `-i ${br} -j ACCEPT`, tag },
      // On top: replies to published-port connections coming from another network pass the isolation.
      { table: 'filter', chain: fwd, spec: `-o ${br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`, tag, first: true },
      { table: 'nat', chain: post, spec: `-s ${net.subnet} ! -o ${br} -j MASQUERADE`, tag },
      // DNAT'd connections from 127.0.0.1 (route_localnet) must leave with a routable source.
      { table: 'nat', chain: post, spec: `-s 127.0.0.0/8 -o ${br} -j MASQUERADE`, tag },
    ];
  }

  /** DNAT, forward-accept and hairpin masquerade of published ports. */
  portRules(ports: readonly EndpointPort[], tag: string): Rule[] {
    const { fwdChain: fwd, dnatChain: dnat, postChain: post } = this.names;
    return ports.flatMap((p): Rule[] => {
      const proto = `-p ${p.protocol} -m ${p.protocol}`;
      const dest = p.hostIp === '0.0.0.0' ? '' : `-d ${p.hostIp}/32 `;
      return [
        { table: 'nat', chain: dnat, spec: `${dest}${proto} --dport ${p.hostPort} -j DNAT --to-destination ${p.containerIp}:${p.containerPort}`, tag },
        { table: 'filter', chain: fwd, spec: `-d ${p.containerIp}/32 -o ${p.bridge} ${proto} --dport ${p.containerPort} -j ACCEPT`, tag, first: true },
        { table: 'nat', chain: post, spec: `-s ${p.containerIp}/32 -d ${p.containerIp}/32 ${proto} --dport ${p.containerPort} -j MASQUERADE`, tag },
      ];
    });
  }
}
