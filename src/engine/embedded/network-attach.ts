/** connectNetwork / disconnectNetwork: live for running containers, recorded for the next start otherwise. */
import { EngineError } from '../engine-error.js';
import type { NetworkAttachment } from '../engine.js';
import type { Core } from './core.js';
import { getFresh } from './container-exit.js';
import { unprepareContainer } from './container-start.js';

export async function connectNetwork(core: Core, network: string, container: string, attachment: NetworkAttachment): Promise<void> {
  const op = 'connect network';
  const net = await core.network.inspect(network);
  const c = await getFresh(core, container, op);
  const a: NetworkAttachment = { ...attachment, network: net.name };
  const listed = c.record.spec.networks.some((n) => n.network === net.name);
  const live = c.state.status === 'running' || c.state.status === 'paused';
  // A container prepared ahead of its start gets its networks set up anew.
  if (!live) await unprepareContainer(core, c.record.id);
  if (live) {
    if (c.state.networks[net.name] !== undefined) {
      throw new EngineError('conflict', op, c.record.name, `endpoint with name ${c.record.name} already exists in network ${net.name}`);
    }
    const mode = c.record.spec.networkMode;
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:') || mode.startsWith('service:')) {
      throw new EngineError('conflict', op, c.record.name, `container sharing network namespace with another container or host cannot be connected to any other network`);
    }
    const result = await core.network.connect(c.record.id, a);
    await core.containers.update(c.record.id, (s) => ({
      ...s,
      networks: { ...s.networks, [net.name]: { networkId: result.networkId, ipv4Address: result.ipv4Address, macAddress: result.macAddress, aliases: result.aliases } },
    }));
  }
  if (!listed) {
    const spec = { ...c.record.spec, networks: [...c.record.spec.networks, a] };
    if (spec.networks.length === 1 && (spec.networkMode === 'bridge' || spec.networkMode === '')) spec.networkMode = net.name;
    await core.containers.writeRecord({ ...c.record, spec });
  }
  await core.emit('network', 'connect', net.id, { ...net.labels, name: net.name, container: c.record.id });
}

export async function disconnectNetwork(core: Core, network: string, container: string, force: boolean): Promise<void> {
  const op = 'disconnect network';
  const net = await core.network.inspect(network);
  const c = await getFresh(core, container, op).catch((err: unknown) => {
    if (force && err instanceof EngineError && err.kind === 'not-found') return undefined;
    throw err;
  });
  if (c === undefined) return;
  const listed = c.record.spec.networks.some((n) => n.network === net.name);
  const attached = c.state.networks[net.name] !== undefined;
  if (!listed && !attached) {
    if (force) return;
    throw new EngineError('conflict', op, c.record.name, `container ${c.record.id} is not connected to network ${net.name}`);
  }
  if (c.state.status !== 'running' && c.state.status !== 'paused') await unprepareContainer(core, c.record.id);
  if (attached) {
    await core.network.disconnect(c.record.id, net.name);
    await core.containers.update(c.record.id, (s) => {
      const networks = { ...s.networks };
      delete networks[net.name];
      return { ...s, networks };
    });
  }
  if (listed) {
    await core.containers.writeRecord({ ...c.record, spec: { ...c.record.spec, networks: c.record.spec.networks.filter((n) => n.network !== net.name) } });
  }
  await core.emit('network', 'disconnect', net.id, { ...net.labels, name: net.name, container: c.record.id });
}
