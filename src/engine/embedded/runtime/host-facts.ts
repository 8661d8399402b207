/** Facts about the host that shape every config.json: rlimit ceilings, capabilities, seccomp profile. */
import { access, readFile } from 'node:fs/promises';
import { release } from 'node:os';
import { EngineError } from '../../engine-error.js';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES } from './oci-defaults.js';
import type { HostFacts } from './oci-config.js';
import { convertSeccompProfile, goArch, parseSeccompProfile } from './seccomp.js';

export const DEFAULT_SECCOMP_PROFILE = '/usr/share/containers/seccomp.json';

/** /proc/self/limits row names → RLIMIT_* names. */
const LIMIT_ROWS: Record<string, string> = {
  'Max cpu time': 'RLIMIT_CPU', 'Max file size': 'RLIMIT_FSIZE', 'Max data size': 'RLIMIT_DATA', 'Max stack size': 'RLIMIT_STACK',
  'Max core file size': 'RLIMIT_CORE', 'Max resident set': 'RLIMIT_RSS', 'Max processes': 'RLIMIT_NPROC', 'Max open files': 'RLIMIT_NOFILE',
  'Max locked memory': 'RLIMIT_MEMLOCK', 'Max address space': 'RLIMIT_AS', 'Max file locks': 'RLIMIT_LOCKS', 'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE', 'Max nice priority': 'RLIMIT_NICE', 'Max realtime priority': 'RLIMIT_RTPRIO', 'Max realtime timeout': 'RLIMIT_RTTIME',
};

/** Hard limits by RLIMIT_* name; "unlimited" rows are left out (nothing to clamp to). */
export function parseProcLimits(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    for (const [row, name] of Object.entries(LIMIT_ROWS)) {
      if (!line.startsWith(`${row} `)) continue;
      const fields = line.slice(row.length).trim().split(/\s+/);
      const hard = fields[1];
      if (hard !== undefined && /^\d+$/.test(hard)) out[name] = Number(hard);
    }
  }
  return out;
}

/** Capability names set in a hex mask such as /proc/self/status's CapBnd. */
export function capsFromMask(hex: string): string[] {
  const mask = BigInt(`0x${hex}`);
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

const cache = new Map<string, Promise<HostFacts>>();

/** Reads the host facts once per profile path (the seccomp conversion and /proc reads are cached). */
export function readHostFacts(seccompProfilePath: string = DEFAULT_SECCOMP_PROFILE): Promise<HostFacts> {
  let facts = cache.get(seccompProfilePath);
  if (facts === undefined) {
    facts = loadHostFacts(seccompProfilePath);
    cache.set(seccompProfilePath, facts);
    facts.catch(() => cache.delete(seccompProfilePath));
  }
  return facts;
}

async function loadHostFacts(seccompProfilePath: string): Promise<HostFacts> {
  const limits = parseProcLimits(await readFile('/proc/self/limits', 'utf8'));
  const status = await readFile('/proc/self/status', 'utf8');
  const bnd = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  const boundingCaps = bnd === undefined ? [...ALL_CAPABILITIES] : capsFromMask(bnd);
  const arch = goArch(process.arch);
  const kernel = release();
  const swapAccounting = await access('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes').then(() => true, () => false);
  let profileText: string | undefined;
  try {
    profileText = await readFile(seccompProfilePath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new EngineError('failed', 'read seccomp profile', seccompProfilePath, `cannot read ${seccompProfilePath}: ${(err as Error).message}`, { cause: err });
    }
  }
  const base: HostFacts = {
    nofileHardLimit: limits.RLIMIT_NOFILE ?? Number.MAX_SAFE_INTEGER,
    hardLimits: limits,
    boundingCaps,
    arch,
    kernel,
    swapAccounting,
  };
  if (profileText === undefined) return base;
  let profile;
  try {
    profile = parseSeccompProfile(profileText, seccompProfilePath);
  } catch (err) {
    throw new EngineError('failed', 'read seccomp profile', seccompProfilePath, (err as Error).message, { cause: err });
  }
  return { ...base, seccompProfile: profile, seccomp: convertSeccompProfile(profile, { arch, kernel, caps: DEFAULT_CAPABILITIES }) };
}
