/** Turns berth's resolved container settings into an OCI runtime config.json with Docker's defaults. */
import { readFileSync } from 'node:fs';
import { EngineError } from '../../engine-error.js';
import { buildCapabilities } from './oci-caps.js';
import { buildDevices, buildResources } from './oci-resources.js';
import { DEFAULT_MASKED_PATHS, DEFAULT_NOFILE, DEFAULT_READONLY_PATHS, DEFAULT_SHM_BYTES, defaultMounts } from './oci-defaults.js';
import type { OciMount, OciNamespace, OciRlimit, OciSeccomp, OciSpec } from './oci-spec.js';
import { convertSeccompProfile, goArch, parseSeccompProfile, type SeccompProfile } from './seccomp.js';

export type { OciSpec } from './oci-spec.js';

export interface OciConfigInput {
  rootfs: string;
  readOnlyRootfs: boolean;
  process: { args: string[]; env: string[]; cwd: string; uid: number; gid: number; additionalGids: number[]; terminal: boolean; noNewPrivileges?: boolean };
  hostname?: string;
  domainname?: string;
  /** Extra mounts after the defaults (/proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys, /sys/fs/cgroup): binds (options incl. rbind, ro/rw, propagation) and tmpfs. The caller resolves sources. */
  mounts: Array<{ destination: string; type: 'bind' | 'tmpfs'; source: string; options: string[] }>;
  network: { mode: 'host' } | { mode: 'none' } | { mode: 'path'; path: string };
  ipc?: { mode: 'private' | 'host' | 'shareable' } | { mode: 'path'; path: string };
  pid?: { mode: 'private' | 'host' } | { mode: 'path'; path: string };
  uts?: 'private' | 'host';
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  /** compose security_opt entries: seccomp=unconfined|<path to JSON>, no-new-privileges[:true], apparmor/label ignored. */
  securityOpt: string[];
  sysctls: Record<string, string>;
  ulimits: Array<{ name: string; soft: number; hard: number }>;
  shmSizeBytes?: number;
  resources: {
    memoryBytes?: number; memoryReservationBytes?: number; memorySwapBytes?: number; memorySwappiness?: number;
    nanoCpus?: number; cpuShares?: number; cpuPeriod?: number; cpuQuota?: number; cpusetCpus?: string; pidsLimit?: number;
  };
  devices: Array<{ source: string; target: string; permissions: string }>;
  oomScoreAdj?: number;
  /** Path of the init binary (catatonit or tini) to bind at /dev/init and prepend to args; undefined = no init. */
  initPath?: string;
  cgroupsPath: string;
  annotations?: Record<string, string>;
}

export interface HostFacts {
  nofileHardLimit: number;
  /** The host's default seccomp profile converted to OCI form for the default capabilities; undefined = none available. */
  seccomp?: OciSeccomp;
  /** The parsed profile, so a config with other capabilities gets its own conversion. */
  seccompProfile?: SeccompProfile;
  /** Hard rlimits of this process by RLIMIT_* name (limited ones only); requests are clamped to these. */
  hardLimits?: Record<string, number>;
  /** Capabilities in this process's bounding set: privileged containers get these, not more. */
  boundingCaps?: string[];
  /** Go arch name (amd64, arm64, …) used to pick seccomp rules. */
  arch?: string;
  kernel?: string;
  /** Whether memory+swap limits can be set (memory.memsw.* exists). */
  swapAccounting?: boolean;
}

interface SecurityOpts { seccomp: 'default' | 'unconfined' | { path: string }; noNewPrivileges: boolean; systemPathsUnconfined: boolean }

function parseSecurityOpts(opts: string[]): SecurityOpts {
  const out: SecurityOpts = { seccomp: 'default', noNewPrivileges: false, systemPathsUnconfined: false };
  for (const raw of opts) {
    // Docker accepts both key=value and the older key:value spelling.
    const m = /^([a-z-]+)(?:[=:](.*))?$/.exec(raw);
    const key = m?.[1] ?? '';
    const value = m?.[2];
    switch (key) {
      case 'seccomp':
        if (value === undefined || value === '') throw invalidOpt(raw);
        out.seccomp = value === 'unconfined' ? 'unconfined' : { path: value };
        break;
      case 'no-new-privileges':
        if (value !== undefined && value !== 'true' && value !== 'false') throw invalidOpt(raw);
        out.noNewPrivileges = value !== 'false';
        break;
      case 'systempaths':
        if (value !== 'unconfined') throw invalidOpt(raw);
        out.systemPathsUnconfined = true;
        break;
      case 'apparmor':
      case 'label':
        break;
      default:
        throw invalidOpt(raw);
    }
  }
  return out;
}

function invalidOpt(raw: string): EngineError {
  return new EngineError('unsupported', 'create', 'security_opt', `security_opt "${raw}" is not supported (supported: seccomp=unconfined|<file>, no-new-privileges[:true|false], systempaths=unconfined; apparmor and label are ignored)`);
}

/** Requested rlimits, each clamped to the host's hard limit (raising it needs CAP_SYS_RESOURCE, which a VM may lack). */
function buildRlimits(ulimits: OciConfigInput['ulimits'], host: HostFacts): OciRlimit[] {
  const byType = new Map<string, { soft: number; hard: number }>();
  byType.set('RLIMIT_NOFILE', { soft: DEFAULT_NOFILE, hard: DEFAULT_NOFILE });
  for (const u of ulimits) byType.set(`RLIMIT_${u.name.toUpperCase().replace(/^RLIMIT_/, '')}`, { soft: u.soft, hard: u.hard });
  const out: OciRlimit[] = [];
  for (const [type, v] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
    // -1 is how compose spells "unlimited".
    let hard = v.hard < 0 ? Number.MAX_SAFE_INTEGER : v.hard;
    let soft = v.soft < 0 ? Number.MAX_SAFE_INTEGER : v.soft;
    const ceiling = type === 'RLIMIT_NOFILE' ? host.nofileHardLimit : host.hardLimits?.[type];
    if (ceiling !== undefined) hard = Math.min(hard, ceiling);
    soft = Math.min(soft, hard);
    if (hard === Number.MAX_SAFE_INTEGER) continue;
    out.push({ type, soft, hard });
  }
  return out;
}

function namespaces(input: OciConfigInput): OciNamespace[] {
  const ns: OciNamespace[] = [{ type: 'mount' }];
  const add = (type: OciNamespace['type'], mode: { mode: string; path?: string } | undefined): void => {
    if (mode === undefined) ns.push({ type });
    else if (mode.mode === 'path' && mode.path !== undefined) ns.push({ type, path: mode.path });
    else if (mode.mode !== 'host') ns.push({ type });
  };
  add('network', input.network);
  add('ipc', input.ipc);
  add('pid', input.pid);
  if (input.uts !== 'host') ns.push({ type: 'uts' });
  return ns;
}

function seccompFor(sec: SecurityOpts, caps: string[], host: HostFacts): OciSeccomp | undefined {
  if (sec.seccomp === 'unconfined') return undefined;
  const arch = host.arch ?? goArch(process.arch);
  const kernel = host.kernel ?? '0.0';
  if (sec.seccomp === 'default') {
    if (host.seccompProfile === undefined) return host.seccomp;
    return convertSeccompProfile(host.seccompProfile, { arch, kernel, caps });
  }
  const path = sec.seccomp.path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new EngineError('not-found', 'create', path, `seccomp profile ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return convertSeccompProfile(parseSeccompProfile(text, path), { arch, kernel, caps });
  } catch (err) {
    throw new EngineError('failed', 'create', path, (err as Error).message, { cause: err });
  }
}

export function buildOciConfig(input: OciConfigInput, host: HostFacts): OciSpec {
  const sec = parseSecurityOpts(input.securityOpt);
  const caps = buildCapabilities(input, host.boundingCaps);
  const hostIpc = input.ipc?.mode === 'host';
  const userDestinations = new Set(input.mounts.map((m) => m.destination.replace(/\/+$/, '') || '/'));
  const mounts: OciMount[] = defaultMounts({ privileged: input.privileged, shmSizeBytes: input.shmSizeBytes ?? DEFAULT_SHM_BYTES, hostIpc })
    .filter((m) => !userDestinations.has(m.destination));
  if (input.initPath !== undefined) mounts.push({ destination: '/dev/init', type: 'bind', source: input.initPath, options: ['bind', 'ro', 'nosuid', 'nodev'] });
  for (const m of input.mounts) mounts.push({ destination: m.destination, type: m.type, source: m.source, options: [...m.options] });
  const env = [...input.process.env];
  if (input.process.terminal && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
  const confined = !input.privileged && !sec.systemPathsUnconfined;
  const seccomp = input.privileged ? undefined : seccompFor(sec, caps, host);
  const devices = buildDevices(input);
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: input.process.terminal,
      user: { uid: input.process.uid, gid: input.process.gid, ...(input.process.additionalGids.length > 0 ? { additionalGids: [...input.process.additionalGids] } : {}) },
      args: input.initPath !== undefined ? ['/dev/init', '--', ...input.process.args] : [...input.process.args],
      env,
      cwd: input.process.cwd === '' ? '/' : input.process.cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      rlimits: buildRlimits(input.ulimits, host),
      noNewPrivileges: input.process.noNewPrivileges ?? sec.noNewPrivileges,
      ...(input.oomScoreAdj !== undefined ? { oomScoreAdj: input.oomScoreAdj } : {}),
    },
    root: { path: input.rootfs, readonly: input.readOnlyRootfs },
    ...(input.hostname !== undefined && input.uts !== 'host' ? { hostname: input.hostname } : {}),
    ...(input.domainname !== undefined && input.uts !== 'host' ? { domainname: input.domainname } : {}),
    mounts,
    linux: {
      namespaces: namespaces(input),
      resources: buildResources(input, devices.rules, host.swapAccounting ?? true),
      cgroupsPath: input.cgroupsPath,
      devices: devices.nodes,
      maskedPaths: confined ? [...DEFAULT_MASKED_PATHS] : [],
      readonlyPaths: confined ? [...DEFAULT_READONLY_PATHS] : [],
      ...(Object.keys(input.sysctls).length > 0 ? { sysctl: Object.fromEntries(Object.entries(input.sysctls).sort(([a], [b]) => a.localeCompare(b))) } : {}),
      ...(seccomp !== undefined ? { seccomp } : {}),
    },
    ...(input.annotations !== undefined && Object.keys(input.annotations).length > 0 ? { annotations: { ...input.annotations } } : {}),
  };
}

export { readHostFacts } from './host-facts.js';
