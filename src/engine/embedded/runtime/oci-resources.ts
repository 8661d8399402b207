/** cgroup resources and device nodes of a container config. */
import { readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../../engine-error.js';
import type { OciConfigInput } from './oci-config.js';
import { DEFAULT_DEVICE_RULES } from './oci-defaults.js';
import type { OciDevice, OciDeviceCgroupRule, OciResources } from './oci-spec.js';

export const DEFAULT_CPU_PERIOD = 100000;

/** Linux's dev_t split (new_decode_dev). */
function majorMinor(rdev: number): { major: number; minor: number } {
  return { major: Math.floor(rdev / 256) & 0xfff, minor: (rdev & 0xff) | ((Math.floor(rdev / 4096)) & 0xfff00) };
}

function deviceNode(path: string, st: Stats, target: string): OciDevice | undefined {
  const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined;
  if (type === undefined) return undefined;
  return { path: target, type, ...majorMinor(st.rdev), fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

/** Every device node under /dev (privileged containers get them all), except the per-container ones. */
function hostDevices(): OciDevice[] {
  const out: OciDevice[] = [];
  const skip = new Set(['/dev/pts', '/dev/shm', '/dev/mqueue', '/dev/console', '/dev/ptmx', '/dev/tty', '/dev/fd']);
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const p = join(dir, name);
      if (skip.has(p)) continue;
      let st: Stats;
      try {
        st = statSync(p, { throwIfNoEntry: true });
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p);
      else {
        const node = deviceNode(p, st, p);
        if (node !== undefined) out.push(node);
      }
    }
  };
  walk('/dev');
  return out;
}

export function buildDevices(input: OciConfigInput): { nodes: OciDevice[]; rules: OciDeviceCgroupRule[] } {
  if (input.privileged) return { nodes: hostDevices(), rules: [{ allow: true, access: 'rwm' }] };
  const nodes: OciDevice[] = [];
  const rules: OciDeviceCgroupRule[] = DEFAULT_DEVICE_RULES.map((r) => ({ ...r }));
  for (const d of input.devices) {
    let st: Stats;
    try {
      st = statSync(d.source);
    } catch (err) {
      throw new EngineError('not-found', 'create', d.source, `device ${d.source}: ${(err as Error).message}`, { cause: err });
    }
    const node = deviceNode(d.source, st, d.target === '' ? d.source : d.target);
    if (node === undefined) throw new EngineError('unsupported', 'create', d.source, `${d.source} is not a device node`);
    const access = d.permissions === '' ? 'rwm' : d.permissions;
    if (!/^[rwm]+$/.test(access)) throw new EngineError('unsupported', 'create', d.source, `invalid device permissions "${d.permissions}" for ${d.source} (use a combination of r, w and m)`);
    nodes.push(node);
    rules.push({ allow: true, type: node.type, major: node.major, minor: node.minor, access });
  }
  return { nodes, rules };
}

export function buildResources(input: OciConfigInput, deviceRules: OciDeviceCgroupRule[], swapAccounting: boolean): OciResources {
  const r = input.resources;
  const memory: NonNullable<OciResources['memory']> = {};
  if (r.memoryBytes !== undefined && r.memoryBytes > 0) memory.limit = r.memoryBytes;
  if (r.memoryReservationBytes !== undefined && r.memoryReservationBytes > 0) memory.reservation = r.memoryReservationBytes;
  if (swapAccounting && memory.limit !== undefined) {
    // Docker's memory-swap is memory+swap; unset means "as much swap as memory", -1 unlimited.
    if (r.memorySwapBytes === undefined || r.memorySwapBytes === 0) memory.swap = memory.limit * 2;
    else memory.swap = r.memorySwapBytes < 0 ? -1 : r.memorySwapBytes;
  }
  if (r.memorySwappiness !== undefined && r.memorySwappiness >= 0) memory.swappiness = r.memorySwappiness;
  const cpu: NonNullable<OciResources['cpu']> = {};
  if (r.cpuShares !== undefined && r.cpuShares > 0) cpu.shares = r.cpuShares;
  if (r.cpuQuota !== undefined && r.cpuQuota > 0) {
    cpu.quota = r.cpuQuota;
    cpu.period = r.cpuPeriod ?? DEFAULT_CPU_PERIOD;
  } else if (r.nanoCpus !== undefined && r.nanoCpus > 0) {
    cpu.period = r.cpuPeriod ?? DEFAULT_CPU_PERIOD;
    cpu.quota = Math.round((r.nanoCpus * cpu.period) / 1e9);
  } else if (r.cpuPeriod !== undefined && r.cpuPeriod > 0) {
    cpu.period = r.cpuPeriod;
  }
  if (r.cpusetCpus !== undefined && r.cpusetCpus !== '') cpu.cpus = r.cpusetCpus;
  return {
    devices: deviceRules,
    ...(Object.keys(memory).length > 0 ? { memory } : {}),
    ...(Object.keys(cpu).length > 0 ? { cpu } : {}),
    ...(r.pidsLimit !== undefined && r.pidsLimit > 0 ? { pids: { limit: r.pidsLimit } } : {}),
  };
}
