/** Container records as the Engine interface shows them: summaries, details, Docker-like status text. */
import type { ContainerDetails, ContainerSummary } from '../engine.js';
import type { StoredContainer } from './state/container-record.js';

/** `3 seconds`, `About a minute`, `5 minutes`, `About an hour`, `2 hours`, `3 days`… like Docker's status column. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 1) return 'Less than a second';
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  const d = Math.round(h / 24);
  if (d < 14) return `${d} days`;
  const w = Math.round(d / 7);
  if (d < 60) return `${w} weeks`;
  const mo = Math.round(d / 30);
  if (d < 365 * 2) return `${mo} months`;
  return `${Math.round(d / 365)} years`;
}

export function statusText(c: StoredContainer, now = Date.now()): string {
  const st = c.state;
  const health = st.health !== undefined ? ` (${st.health.status === 'starting' ? 'health: starting' : st.health.status})` : '';
  switch (st.status) {
    case 'created':
      return 'Created';
    case 'running':
      return `Up ${humanDuration(now - Date.parse(st.startedAt ?? c.record.created))}${health}`;
    case 'paused':
      return `Up ${humanDuration(now - Date.parse(st.startedAt ?? c.record.created))} (Paused)`;
    case 'restarting':
      return `Restarting (${st.exitCode}) ${humanDuration(now - Date.parse(st.finishedAt ?? c.record.created))} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'exited':
      return `Exited (${st.exitCode}) ${humanDuration(now - Date.parse(st.finishedAt ?? c.record.created))} ago`;
    case 'dead':
      return 'Dead';
  }
}

function commandText(c: StoredContainer): string {
  return c.record.process.args.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

const isUp = (c: StoredContainer): boolean => c.state.status === 'running' || c.state.status === 'paused' || c.state.status === 'restarting';

export function toSummary(c: StoredContainer, now = Date.now()): ContainerSummary {
  const { record, state } = c;
  const health = isUp(c) && state.status !== 'restarting' ? state.health?.status : undefined;
  return {
    id: record.id,
    name: record.name,
    image: record.image,
    imageId: record.imageId,
    command: commandText(c),
    labels: { ...record.spec.labels },
    state: state.status,
    status: statusText(c, now),
    created: Math.floor(Date.parse(record.created) / 1000),
    ports: isUp(c) ? state.ports.map((p) => ({ ...p })) : [],
    networks: networksOf(c),
    ...(health !== undefined ? { health } : {}),
  };
}

/** Names of the networks the container is (or, when stopped, will be) attached to. */
export function networksOf(c: StoredContainer): string[] {
  const fromState = Object.keys(c.state.networks);
  if (fromState.length > 0) return fromState.sort();
  return attachedNetworkNames(c).sort();
}

export function attachedNetworkNames(c: StoredContainer): string[] {
  const mode = c.record.spec.networkMode;
  if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) return [];
  if (c.record.spec.networks.length === 0) return mode === 'bridge' || mode === 'default' || mode === '' ? ['bridge'] : [mode];
  return [...new Set(c.record.spec.networks.map((n) => n.network))];
}

export function toDetails(c: StoredContainer, now = Date.now()): ContainerDetails {
  const { record, state } = c;
  const up = isUp(c);
  const networkSettings: ContainerDetails['networkSettings'] = {};
  for (const name of attachedNetworkNames(c)) {
    const live = state.networks[name];
    const declared = record.spec.networks.find((n) => n.network === name);
    networkSettings[name] = {
      networkId: live?.networkId ?? '',
      ...(live?.ipv4Address !== undefined && up ? { ipv4Address: live.ipv4Address } : {}),
      aliases: [...(live?.aliases ?? declared?.aliases ?? [])],
    };
  }
  return {
    ...toSummary(c, now),
    exitCode: state.exitCode,
    ...(state.startedAt !== undefined ? { startedAt: state.startedAt } : {}),
    ...(state.finishedAt !== undefined && !up ? { finishedAt: state.finishedAt } : {}),
    restartCount: state.restartCount,
    oomKilled: state.oomKilled,
    ...(up && state.pid !== undefined ? { pid: state.pid } : {}),
    mounts: record.mounts.map((m) => ({ ...m })),
    networkSettings,
    env: [...record.process.env],
    ...(state.health !== undefined ? { healthLog: state.health.log.map((e) => ({ exitCode: e.exitCode, output: e.output, start: e.start })) } : {}),
  };
}
