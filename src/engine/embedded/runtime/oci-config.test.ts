import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEngineError } from '../../engine-error.js';
import { buildOciConfig, readHostFacts, type HostFacts, type OciConfigInput } from './oci-config.js';
import { capsFromMask, parseProcLimits } from './host-facts.js';
import { convertSeccompProfile } from './seccomp.js';

function input(over: Partial<OciConfigInput> = {}): OciConfigInput {
  return {
    rootfs: '/r', readOnlyRootfs: false,
    process: { args: ['sh', '-c', 'true'], env: ['PATH=/bin'], cwd: '/', uid: 0, gid: 0, additionalGids: [], terminal: false },
    mounts: [], network: { mode: 'none' }, privileged: false, capAdd: [], capDrop: [], securityOpt: [], sysctls: {}, ulimits: [],
    resources: {}, devices: [], cgroupsPath: '/berth/x', ...over,
  };
}

const profile = {
  defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38,
  archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }, { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] }],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW', args: [], includes: {}, excludes: {} },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }], includes: {}, excludes: {} },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] }, excludes: {} },
    { names: ['arm_only'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm64'] }, excludes: {} },
    { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] }, excludes: {} },
    { names: ['mount'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, includes: {}, excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['new_call'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '6.20' }, excludes: {} },
  ],
};

const host: HostFacts = {
  nofileHardLimit: 20000,
  hardLimits: { RLIMIT_NOFILE: 20000, RLIMIT_NPROC: 5000 },
  boundingCaps: capsFromMask('1fffeffffff'),
  arch: 'amd64', kernel: '6.18.44-fc', swapAccounting: true,
  seccompProfile: profile,
};

describe('buildOciConfig', () => {
  it('grants Docker\'s default capabilities, sorted', () => {
    const spec = buildOciConfig(input(), host);
    assert.deepEqual(spec.process.capabilities.bounding, [
      'CAP_AUDIT_WRITE', 'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_MKNOD',
      'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', 'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT',
    ]);
    assert.deepEqual(spec.process.capabilities.inheritable, []);
  });

  it('applies cap_add and cap_drop with and without the CAP_ prefix', () => {
    const caps = buildOciConfig(input({ capAdd: ['net_admin', 'CAP_SYS_PTRACE'], capDrop: ['chown', 'CAP_NET_RAW', 'MKNOD'] }), host).process.capabilities.effective;
    assert.equal(caps.includes('CAP_NET_ADMIN'), true);
    assert.equal(caps.includes('CAP_SYS_PTRACE'), true);
    assert.equal(caps.includes('CAP_CHOWN'), false);
    assert.equal(caps.includes('CAP_NET_RAW'), false);
    assert.equal(caps.length, 13);
  });

  it('supports ALL in cap_drop and cap_add, limited to the host bounding set', () => {
    assert.deepEqual(buildOciConfig(input({ capDrop: ['ALL'], capAdd: ['kill'] }), host).process.capabilities.bounding, ['CAP_KILL']);
    const all = buildOciConfig(input({ capAdd: ['all'], capDrop: ['sys_admin'] }), host).process.capabilities.bounding;
    assert.equal(all.length, 39);
    assert.equal(all.includes('CAP_SYS_ADMIN'), false);
    assert.equal(all.includes('CAP_SYS_RESOURCE'), false, 'not in the bounding set 1fffeffffff');
  });

  it('rejects unknown capabilities', () => {
    assert.throws(() => buildOciConfig(input({ capAdd: ['FLY'] }), host), (err: unknown) => isEngineError(err, 'unsupported') && err.message === 'unknown capability "FLY"');
  });

  it('makes privileged containers unconfined: all caps, no seccomp, no masked paths, all devices', () => {
    const spec = buildOciConfig(input({ privileged: true }), host);
    assert.equal(spec.process.capabilities.bounding.length, 40);
    assert.equal(spec.linux.seccomp, undefined);
    assert.deepEqual(spec.linux.maskedPaths, []);
    assert.deepEqual(spec.linux.readonlyPaths, []);
    assert.deepEqual(spec.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
    assert.equal(spec.linux.devices.some((d) => d.path === '/dev/null' && d.major === 1 && d.minor === 3), true);
    assert.deepEqual(spec.mounts.find((m) => m.destination === '/sys')?.options, ['nosuid', 'noexec', 'nodev']);
  });

  it('masks and write-protects Docker\'s default paths', () => {
    const spec = buildOciConfig(input(), host);
    assert.deepEqual(spec.linux.maskedPaths, ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/sched_debug', '/proc/scsi', '/proc/timer_list', '/proc/timer_stats', '/sys/devices/virtual/powercap', '/sys/firmware']);
    assert.deepEqual(spec.linux.readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
    assert.deepEqual(buildOciConfig(input({ securityOpt: ['systempaths=unconfined'] }), host).linux.maskedPaths, []);
  });

  it('clamps the default and requested rlimits to the host hard limits', () => {
    const spec = buildOciConfig(input({ ulimits: [{ name: 'nproc', soft: 100000, hard: 100000 }, { name: 'core', soft: 0, hard: 0 }] }), host);
    assert.deepEqual(spec.process.rlimits, [
      { type: 'RLIMIT_CORE', soft: 0, hard: 0 },
      { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 },
      { type: 'RLIMIT_NPROC', soft: 5000, hard: 5000 },
    ]);
    assert.deepEqual(buildOciConfig(input({ ulimits: [{ name: 'nofile', soft: 1024, hard: 4096 }] }), host).process.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 }]);
  });

  it('turns resources into cgroup values', () => {
    const r = buildOciConfig(input({ resources: { memoryBytes: 64 << 20, memoryReservationBytes: 32 << 20, memorySwappiness: 0, nanoCpus: 1_500_000_000, cpuShares: 512, cpusetCpus: '0', pidsLimit: 20 } }), host).linux.resources;
    assert.deepEqual(r.memory, { limit: 67108864, reservation: 33554432, swap: 134217728, swappiness: 0 });
    assert.deepEqual(r.cpu, { shares: 512, period: 100000, quota: 150000, cpus: '0' });
    assert.deepEqual(r.pids, { limit: 20 });
    assert.deepEqual(buildOciConfig(input({ resources: { memoryBytes: 1000, memorySwapBytes: -1, cpuQuota: 20000, cpuPeriod: 50000 } }), host).linux.resources.memory, { limit: 1000, swap: -1 });
    assert.deepEqual(buildOciConfig(input({ resources: { cpuQuota: 20000, cpuPeriod: 50000 } }), host).linux.resources.cpu, { quota: 20000, period: 50000 });
    assert.deepEqual(buildOciConfig(input({ resources: { memoryBytes: 1000 } }), { ...host, swapAccounting: false }).linux.resources.memory, { limit: 1000 });
  });

  it('binds the init at /dev/init and prepends it to the command', () => {
    const spec = buildOciConfig(input({ initPath: '/usr/bin/catatonit' }), host);
    assert.deepEqual(spec.process.args, ['/dev/init', '--', 'sh', '-c', 'true']);
    assert.deepEqual(spec.mounts.find((m) => m.destination === '/dev/init'), { destination: '/dev/init', type: 'bind', source: '/usr/bin/catatonit', options: ['bind', 'ro', 'nosuid', 'nodev'] });
  });

  it('sizes /dev/shm (64 MiB by default) and lets a user mount replace a default one', () => {
    assert.deepEqual(buildOciConfig(input(), host).mounts.find((m) => m.destination === '/dev/shm')?.options, ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=67108864']);
    assert.equal(buildOciConfig(input({ shmSizeBytes: 1024 }), host).mounts.find((m) => m.destination === '/dev/shm')?.options.at(-1), 'size=1024');
    const spec = buildOciConfig(input({ mounts: [{ destination: '/dev/shm/', type: 'bind', source: '/x', options: ['rbind', 'rw'] }] }), host);
    assert.deepEqual(spec.mounts.filter((m) => m.destination.startsWith('/dev/shm')).map((m) => m.source), ['/x']);
  });

  it('creates namespaces by mode and keeps the hostname only with a private UTS namespace', () => {
    const spec = buildOciConfig(input({ network: { mode: 'path', path: '/run/netns/n1' }, ipc: { mode: 'host' }, pid: { mode: 'path', path: '/proc/9/ns/pid' }, hostname: 'web' }), host);
    assert.deepEqual(spec.linux.namespaces, [{ type: 'mount' }, { type: 'network', path: '/run/netns/n1' }, { type: 'pid', path: '/proc/9/ns/pid' }, { type: 'uts' }]);
    assert.equal(spec.hostname, 'web');
    assert.equal(buildOciConfig(input({ uts: 'host', hostname: 'web', network: { mode: 'host' } }), host).hostname, undefined);
  });

  it('applies the converted seccomp profile unless unconfined, and honours no-new-privileges', () => {
    const spec = buildOciConfig(input({ securityOpt: ['no-new-privileges:true', 'apparmor=unconfined'] }), host);
    assert.equal(spec.process.noNewPrivileges, true);
    assert.equal(spec.linux.seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(buildOciConfig(input({ securityOpt: ['seccomp=unconfined'] }), host).linux.seccomp, undefined);
    assert.throws(() => buildOciConfig(input({ securityOpt: ['bogus=1'] }), host), (err: unknown) => isEngineError(err, 'unsupported') && err.message.startsWith('security_opt "bogus=1" is not supported'));
  });
});

describe('seccomp conversion', () => {
  it('keeps the rules for this architecture and capability set', () => {
    const oci = convertSeccompProfile(profile, { arch: 'amd64', kernel: '6.18.44', caps: ['CAP_CHOWN'] });
    assert.deepEqual(oci, {
      defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
      syscalls: [
        { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
        { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
        { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW' },
        { names: ['mount'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
      ],
    });
    const admin = convertSeccompProfile(profile, { arch: 'arm64', kernel: '7.0', caps: ['CAP_SYS_ADMIN'] });
    assert.deepEqual(admin.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    assert.deepEqual(admin.syscalls.map((s) => s.names[0]), ['read', 'personality', 'arm_only', 'mount', 'new_call']);
  });

  it('converts the host profile with the container\'s capabilities', async () => {
    const facts = await readHostFacts();
    assert.equal(facts.nofileHardLimit > 0, true);
    if (facts.seccompProfile === undefined) return;
    const plain = buildOciConfig(input(), facts).linux.seccomp;
    const admin = buildOciConfig(input({ capAdd: ['SYS_ADMIN'] }), facts).linux.seccomp;
    // containers-common allows bpf only with CAP_SYS_ADMIN and otherwise answers EPERM.
    const bpfAction = (s: typeof plain): string[] => (s?.syscalls ?? []).filter((c) => c.names.includes('bpf')).map((c) => c.action);
    assert.deepEqual(bpfAction(plain), ['SCMP_ACT_ERRNO']);
    assert.deepEqual(bpfAction(admin), ['SCMP_ACT_ALLOW']);
  });
});

describe('host facts parsing', () => {
  it('reads hard limits from /proc/self/limits text', () => {
    const text = 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 20000                files\nMax cpu time              unlimited            unlimited            seconds\n';
    assert.deepEqual(parseProcLimits(text), { RLIMIT_NOFILE: 20000 });
  });
});
