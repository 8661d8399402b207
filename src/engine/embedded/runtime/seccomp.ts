/**
 * Converts a seccomp profile in the Docker / containers-common format (archMap, syscalls with
 * includes/excludes on arches, caps and minKernel) into the OCI `linux.seccomp` form for one
 * architecture and one capability set. A profile already in OCI form passes through unchanged.
 */
import type { OciSeccomp, OciSeccompSyscall } from './oci-spec.js';

interface ProfileFilter { arches?: string[]; caps?: string[]; minKernel?: string }

interface ProfileSyscall {
  names?: string[];
  name?: string;
  action: string;
  errnoRet?: number;
  args?: Array<{ index: number; value: number; valueTwo?: number; op: string }> | null;
  includes?: ProfileFilter;
  excludes?: ProfileFilter;
}

export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: Array<{ architecture: string; subArchitectures?: string[] | null }>;
  flags?: string[];
  syscalls?: ProfileSyscall[];
}

/** Node's `process.arch` → the Go arch names the profile's `includes.arches` use. */
const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', mips64el: 'mips64le', riscv64: 'riscv64' };
/** Go arch → libseccomp's native arch name. */
const SCMP_ARCH: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64', '386': 'SCMP_ARCH_X86', arm64: 'SCMP_ARCH_AARCH64', arm: 'SCMP_ARCH_ARM', ppc64le: 'SCMP_ARCH_PPC64LE',
  s390x: 'SCMP_ARCH_S390X', mips64le: 'SCMP_ARCH_MIPSEL64', riscv64: 'SCMP_ARCH_RISCV64',
};

export function goArch(nodeArch: string): string {
  return GO_ARCH[nodeArch] ?? nodeArch;
}

export function parseSeccompProfile(text: string, source: string): SeccompProfile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`seccomp profile ${source} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || typeof (value as { defaultAction?: unknown }).defaultAction !== 'string') {
    throw new Error(`seccomp profile ${source} has no defaultAction`);
  }
  return value as SeccompProfile;
}

/** Kernel versions like "6.18.44-fc" compared by their numeric major.minor. */
function kernelAtLeast(kernel: string, min: string): boolean {
  const parse = (v: string): number[] => v.split(/[.-]/).slice(0, 2).map((p) => Number.parseInt(p, 10) || 0);
  const [a0 = 0, a1 = 0] = parse(kernel);
  const [b0 = 0, b1 = 0] = parse(min);
  return a0 !== b0 ? a0 > b0 : a1 >= b1;
}

function applies(s: ProfileSyscall, arch: string, caps: ReadonlySet<string>, kernel: string): boolean {
  const inc = s.includes ?? {};
  const exc = s.excludes ?? {};
  if (inc.arches !== undefined && inc.arches.length > 0 && !inc.arches.includes(arch)) return false;
  if (inc.caps !== undefined && !inc.caps.every((c) => caps.has(c))) return false;
  if (inc.minKernel !== undefined && inc.minKernel !== '' && !kernelAtLeast(kernel, inc.minKernel)) return false;
  if (exc.arches?.includes(arch) === true) return false;
  if (exc.caps?.some((c) => caps.has(c)) === true) return false;
  return true;
}

export function convertSeccompProfile(profile: SeccompProfile, opts: { arch: string; caps: Iterable<string>; kernel: string }): OciSeccomp {
  const caps = new Set(opts.caps);
  const native = SCMP_ARCH[opts.arch];
  let architectures: string[] = profile.architectures ?? [];
  if (profile.archMap !== undefined) {
    const entry = profile.archMap.find((m) => m.architecture === native);
    architectures = entry === undefined ? [] : [entry.architecture, ...(entry.subArchitectures ?? [])];
  }
  const syscalls: OciSeccompSyscall[] = [];
  for (const s of profile.syscalls ?? []) {
    if (!applies(s, opts.arch, caps, opts.kernel)) continue;
    const names = s.names ?? (s.name !== undefined ? [s.name] : []);
    if (names.length === 0) continue;
    syscalls.push({
      names: [...names],
      action: s.action,
      ...(s.errnoRet !== undefined ? { errnoRet: s.errnoRet } : {}),
      ...(s.args !== undefined && s.args !== null && s.args.length > 0
        ? { args: s.args.map((a) => ({ index: a.index, value: a.value, ...(a.valueTwo !== undefined ? { valueTwo: a.valueTwo } : {}), op: a.op })) }
        : {}),
    });
  }
  return {
    defaultAction: profile.defaultAction,
    ...(profile.defaultErrnoRet !== undefined ? { defaultErrnoRet: profile.defaultErrnoRet } : {}),
    ...(architectures.length > 0 ? { architectures } : {}),
    ...(profile.flags !== undefined && profile.flags.length > 0 ? { flags: [...profile.flags] } : {}),
    syscalls,
  };
}
