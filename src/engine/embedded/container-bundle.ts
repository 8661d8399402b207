/**
 * The runtime side of a start: root file system, volumes, network, OCI bundle, and the runtime
 * container created under conmon, waiting to run the process (container-start.ts runs it).
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { hostname as hostHostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { EngineError } from '../engine-error.js';
import type { Core } from './core.js';
import { processAlive } from './image/store-lock.js';
import type { OciRuntime } from './runtime/runtime.js';
import type { ContainerNetworkResult } from './network/network-manager.js';
import { containerPaths } from './paths.js';
import { launchConmon } from './runtime/conmon.js';
import { buildOciConfig } from './runtime/oci-config.js';
import type { OciConfigInput } from './runtime/oci-config.js';
import type { ContainerRuntimeState, StoredContainer } from './state/container-record.js';
import { isMounted, mountOverlay } from './state/overlay.js';

type Mounts = OciConfigInput['mounts'];

function tmpfsOptions(spec: string): string[] {
  return spec.split(',').map((o) => o.trim()).filter((o) => o !== '');
}

async function userMounts(core: Core, c: StoredContainer, rootfs: string): Promise<Mounts> {
  const out: Mounts = [];
  for (const m of c.record.spec.mounts) {
    switch (m.type) {
      case 'bind': {
        if (m.createHostPath) await mkdir(m.source, { recursive: true });
        out.push({ destination: m.target, type: 'bind', source: m.source, options: ['rbind', m.readOnly ? 'ro' : 'rw', ...(m.propagation !== undefined ? [m.propagation] : [])] });
        break;
      }
      case 'volume': {
        const recorded = c.record.mounts.find((r) => r.type === 'volume' && r.target === m.target);
        const name = recorded?.name ?? m.source;
        if (name === undefined) break;
        if (!m.noCopy) await core.volumes.copyUp(name, join(rootfs, m.target), { root: rootfs });
        const base = await core.volumes.mountSource(name);
        const source = m.subpath !== undefined ? join(base, m.subpath) : base;
        out.push({ destination: m.target, type: 'bind', source, options: ['rbind', m.readOnly ? 'ro' : 'rw'] });
        break;
      }
      case 'tmpfs':
        out.push({
          destination: m.target, type: 'tmpfs', source: 'tmpfs',
          options: ['nosuid', 'nodev', ...(m.readOnly ? ['ro'] : []), ...(m.sizeBytes !== undefined ? [`size=${m.sizeBytes}`] : []), ...(m.mode !== undefined ? [`mode=${m.mode.toString(8)}`] : [])],
        });
        break;
    }
  }
  // Image volumes turned into anonymous volumes at create time.
  for (const r of c.record.mounts) {
    if (r.type !== 'volume' || c.record.spec.mounts.some((m) => m.target === r.target) || r.name === undefined) continue;
    await core.volumes.copyUp(r.name, join(rootfs, r.target), { root: rootfs });
    out.push({ destination: r.target, type: 'bind', source: await core.volumes.mountSource(r.name), options: ['rbind', 'rw'] });
  }
  for (const [target, opts] of Object.entries(c.record.spec.tmpfs)) {
    out.push({ destination: target, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', ...tmpfsOptions(opts)] });
  }
  return out;
}

const LOCALHOST = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n';

interface NetworkSetup {
  network: OciConfigInput['network'];
  networks: ContainerRuntimeState['networks'];
  ports: ContainerRuntimeState['ports'];
  /** Files bound at /etc/hosts, /etc/resolv.conf, /etc/hostname. */
  files: { hosts: string; resolvConf: string; hostname: string };
}

async function setupNetwork(core: Core, c: StoredContainer, ahead: boolean): Promise<NetworkSetup> {
  const spec = c.record.spec;
  const files = containerPaths(core.paths, c.record.id);
  const hostname = spec.hostname ?? c.record.id.slice(0, 12);
  await writeFile(files.hostname, `${hostname}\n`);
  const own = { hosts: files.hosts, resolvConf: files.resolvConf, hostname: files.hostname };
  const mode = spec.networkMode;
  if (mode === 'host') {
    await copyFile('/etc/hosts', files.hosts).catch(() => writeFile(files.hosts, LOCALHOST));
    await copyFile('/etc/resolv.conf', files.resolvConf).catch(() => writeFile(files.resolvConf, ''));
    await writeFile(files.hostname, `${hostHostname()}\n`);
    return { network: { mode: 'host' }, networks: {}, ports: [], files: own };
  }
  if (mode === 'none') {
    await writeFile(files.hosts, `${LOCALHOST}`);
    await writeFile(files.resolvConf, '');
    return { network: { mode: 'none' }, networks: {}, ports: [], files: own };
  }
  if (mode.startsWith('container:') || mode.startsWith('service:')) {
    const ref = mode.slice(mode.indexOf(':') + 1);
    const other = await core.containers.get(ref, 'start container');
    if (other.state.status !== 'running' && other.state.status !== 'paused') {
      throw new EngineError('failed', 'start container', spec.name, `cannot join network of a non running container: ${other.record.name}`);
    }
    const otherFiles = containerPaths(core.paths, other.record.id);
    return {
      network: { mode: 'path', path: `/proc/${other.state.pid ?? 0}/ns/net` },
      networks: {}, ports: [],
      files: { hosts: otherFiles.hosts, resolvConf: otherFiles.resolvConf, hostname: otherFiles.hostname },
    };
  }
  // A start that crashed after setting the network up left its namespace behind.
  if (existsSync(`/run/netns/bth-${core.network.rootHash}-${c.record.id.slice(0, 12)}`)) await core.network.teardownContainer(c.record.id);
  const attachments = spec.networks.length > 0 ? spec.networks : [{ network: await core.network.ensureDefaultBridge(), aliases: [] }];
  const input = {
    containerId: c.record.id,
    containerName: c.record.name,
    hostname,
    ...(spec.domainname !== undefined ? { domainname: spec.domainname } : {}),
    attachments,
    ports: spec.ports,
    extraHosts: spec.extraHosts,
    links: spec.links,
    dns: spec.dns,
    dnsSearch: spec.dnsSearch,
    dnsOptions: spec.dnsOptions,
    hostsPath: files.hosts,
    resolvConfPath: files.resolvConf,
  };
  const result = ahead ? await core.network.prepareContainer(input) : await core.network.setupContainer(input);
  return { network: { mode: 'path', path: result.netnsPath }, networks: endpointStates(result), ports: result.ports, files: own };
}

export function endpointStates(result: ContainerNetworkResult): ContainerRuntimeState['networks'] {
  const networks: ContainerRuntimeState['networks'] = {};
  for (const [name, n] of Object.entries(result.networks)) {
    networks[name] = { networkId: n.networkId, ipv4Address: n.ipv4Address, macAddress: n.macAddress, aliases: n.aliases };
  }
  return networks;
}

function namespaceMode(value: string | undefined): { mode: 'host' } | { mode: 'private' } | undefined {
  if (value === 'host') return { mode: 'host' };
  return value === undefined || value === '' ? undefined : { mode: 'private' };
}

/** Mounts the container's root file system unless it is mounted already (create mounts it). */
export async function mountRootfs(core: Core, c: StoredContainer): Promise<void> {
  const files = containerPaths(core.paths, c.record.id);
  if (await isMounted(files.rootfs)) return;
  await Promise.all([files.upper, files.work, files.rootfs].map((d) => mkdir(d, { recursive: true })));
  await mountOverlay({ lowerDirs: await core.images.lowerDirs(c.record.imageId), upperDir: files.upper, workDir: files.work, target: files.rootfs });
}

export interface Launched {
  pid: number;
  conmonPid: number;
  networks: ContainerRuntimeState['networks'];
  ports: ContainerRuntimeState['ports'];
  /** Whether the container has an endpoint of its own (set up dormant when `ahead`). */
  endpoint: boolean;
}

/**
 * Everything a start does up to the runtime container waiting to run the process under conmon.
 * `ahead`: the container's names and ports stay invisible to peers until `activate`.
 */
export async function createRuntime(core: Core, c: StoredContainer, ahead: boolean): Promise<Launched> {
  const { record } = c;
  const spec = record.spec;
  const files = containerPaths(core.paths, record.id);
  const [runtime, facts, tools] = await Promise.all([core.runtime(), core.hostFacts(), core.tools()]);
  await Promise.all([files.bundle, files.exitDir, files.persist].map((d) => mkdir(d, { recursive: true })));
  // The root file system (mounted at create) and the network are independent: set both up at once.
  const filesystem = (async () => {
    await mountRootfs(core, c);
    let user;
    try {
      user = await core.images.resolveUser(record.imageId, record.process.user === '' ? undefined : record.process.user);
    } catch (err) {
      throw new EngineError('failed', 'start container', record.name, `unable to start container ${record.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return { user, mounts: await userMounts(core, c, files.rootfs) };
  })();
  const [fsResult, netResult] = await Promise.allSettled([filesystem, setupNetwork(core, c, ahead)]);
  if (fsResult.status === 'rejected') throw fsResult.reason;
  if (netResult.status === 'rejected') throw netResult.reason;
  const { user, mounts } = fsResult.value;
  const net = netResult.value;
  const etc: Mounts = [
    { destination: '/etc/hosts', type: 'bind', source: net.files.hosts, options: ['rbind', 'rw'] },
    { destination: '/etc/resolv.conf', type: 'bind', source: net.files.resolvConf, options: ['rbind', 'rw'] },
    { destination: '/etc/hostname', type: 'bind', source: net.files.hostname, options: ['rbind', 'rw'] },
  ];
  const ipc = namespaceMode(spec.ipcMode);
  const pid = namespaceMode(spec.pidMode);
  const hostname = spec.hostname ?? record.id.slice(0, 12);
  const oci = buildOciConfig({
    rootfs: files.rootfs,
    readOnlyRootfs: spec.readOnlyRootfs,
    process: { args: record.process.args, env: record.process.env, cwd: record.process.cwd, uid: user.uid, gid: user.gid, additionalGids: user.additionalGids, terminal: record.process.tty },
    ...(spec.networkMode === 'host' || spec.utsMode === 'host' ? { uts: 'host' as const } : { hostname }),
    ...(spec.domainname !== undefined ? { domainname: spec.domainname } : {}),
    mounts: [...etc, ...mounts],
    network: net.network,
    ...(ipc !== undefined ? { ipc } : {}),
    ...(pid !== undefined ? { pid } : {}),
    privileged: spec.privileged,
    capAdd: spec.capAdd,
    capDrop: spec.capDrop,
    securityOpt: spec.securityOpt,
    sysctls: spec.sysctls,
    ulimits: spec.ulimits,
    ...(spec.shmSizeBytes !== undefined ? { shmSizeBytes: spec.shmSizeBytes } : {}),
    resources: spec.resources,
    devices: spec.devices,
    ...(spec.oomScoreAdj !== undefined ? { oomScoreAdj: spec.oomScoreAdj } : {}),
    ...(spec.init && tools.init !== undefined ? { initPath: tools.init } : {}),
    cgroupsPath: `/berth-${record.id}`,
    ...(spec.annotations !== undefined ? { annotations: spec.annotations } : {}),
  }, facts);
  await writeFile(join(files.bundle, 'config.json'), JSON.stringify(oci));
  // Held while conmon is launched (under the container's lock): found by the next launch, it
  // says the last one was killed half-way, and its conmon may still be creating the container.
  const launching = join(files.dir, 'launching');
  if (existsSync(launching)) await killStrayLaunch(record.id, launching);
  writeFileSync(launching, `${process.pid}\n`);
  let processPid: number;
  let conmonPid: number;
  try {
    await clearLeftoverRuntime(runtime, record.id, files.conmonPidFile);
    ({ pid: processPid, conmonPid } = await launchConmon({
      id: record.id, bundleDir: files.bundle, pidFile: files.pidFile, conmonPidFile: files.conmonPidFile, logPath: files.log,
      exitDir: files.exitDir, persistDir: files.persist, socketDir: core.paths.sockets, tty: record.process.tty, stdinOpen: spec.stdinOpen, stdinOnce: spec.stdinOnce === true, runtime,
    }));
  } finally {
    rmSync(launching, { force: true });
  }
  return { pid: processPid, conmonPid, networks: net.networks, ports: net.ports, endpoint: net.network.mode === 'path' && net.files.hosts === files.hosts };
}

const LAUNCH_TOOLS = new Set(['conmon', 'crun', 'runc', 'crun-runtime', 'runc-runtime']);

/**
 * After a launch whose launcher died half-way: ends the conmon (and runtime) processes still
 * working on this container, found by the container id among their arguments. Without that
 * they could create the container after the next launch checked for leftovers.
 */
async function killStrayLaunch(id: string, marker: string): Promise<void> {
  const owner = parseInt(readFileSync(marker, 'utf8').trim(), 10);
  if (owner !== process.pid && processAlive(owner)) return;
  const strays: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (!LAUNCH_TOOLS.has(readFileSync(`/proc/${entry}/comm`, 'latin1').trim())) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').includes(id)) strays.push(pid);
    } catch {
      // Exited meanwhile.
    }
  }
  for (const pid of strays) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  for (let i = 0; i < 100 && strays.some((pid) => processAlive(pid)); i++) await delay(10);
}

/**
 * A start or prepare killed after conmon created the runtime container, but before the state
 * recorded it, leaves that container (and its conmon) behind: the runtime would refuse to
 * create it again. Its conmon goes first, so it cannot write an exit file for the new start.
 */
async function clearLeftoverRuntime(runtime: OciRuntime, id: string, conmonPidFile: string): Promise<void> {
  if (!(await runtime.exists(id))) return;
  let pid = 0;
  try {
    pid = Number(readFileSync(conmonPidFile, 'utf8').trim());
  } catch {
    // conmon died before writing its pid.
  }
  if (pid > 0 && processAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
    for (let i = 0; i < 100 && processAlive(pid); i++) await delay(10);
  }
  await runtime.delete(id, true);
}
