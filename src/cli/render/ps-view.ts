import type { PsEntry } from '../../app/ps.js';
import { LABEL } from '../../model/labels.js';
import { createdAgo, ellipsis, formatPorts } from './format.js';
import { renderTable } from './table.js';

export interface PsViewOptions {
  noTrunc: boolean;
  nowMs: number;
}

function command(entry: PsEntry, noTrunc: boolean): string {
  return JSON.stringify(noTrunc ? entry.summary.command : ellipsis(entry.summary.command, 20));
}

/** `NAME IMAGE COMMAND SERVICE CREATED STATUS PORTS`, like docker compose's default table. */
export function psTable(entries: readonly PsEntry[], opts: PsViewOptions): string {
  const rows = entries.map(({ summary: c }, i) => [
    c.name,
    c.image,
    command(entries[i] as PsEntry, opts.noTrunc),
    c.labels[LABEL.service] ?? '',
    createdAgo(c.created, opts.nowMs),
    c.status,
    formatPorts(c.ports),
  ]);
  return renderTable(['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS'], rows);
}

/** One object per container with docker compose's `ps --format json` fields. */
export function psJsonObject(entry: PsEntry, opts: PsViewOptions): Record<string, unknown> {
  const c = entry.summary;
  const d = entry.details;
  const mounts = d?.mounts ?? [];
  const labels = Object.keys(c.labels)
    .sort()
    .map((k) => `${k}=${c.labels[k] ?? ''}`)
    .join(',');
  const publishers = [...c.ports]
    .sort((a, b) => a.containerPort - b.containerPort || a.protocol.localeCompare(b.protocol) || a.hostIp.localeCompare(b.hostIp))
    .map((p) => ({ URL: p.hostPort === 0 ? '' : p.hostIp === '' ? '0.0.0.0' : p.hostIp, TargetPort: p.containerPort, PublishedPort: p.hostPort, Protocol: p.protocol }));
  return {
    Command: command(entry, opts.noTrunc),
    CreatedAt: new Date(c.created * 1000).toISOString(),
    Created: c.created,
    ExitCode: d?.exitCode ?? 0,
    Health: c.health ?? '',
    ID: opts.noTrunc ? c.id : c.id.slice(0, 12),
    Image: c.image,
    Labels: labels,
    LocalVolumes: String(mounts.filter((m) => m.type === 'volume').length),
    Mounts: mounts.map((m) => m.name ?? m.source).join(','),
    Name: c.name,
    Names: c.name,
    Networks: [...c.networks].sort().join(','),
    Ports: formatPorts(c.ports),
    Project: c.labels[LABEL.project] ?? '',
    Publishers: publishers,
    RunningFor: createdAgo(c.created, opts.nowMs),
    Service: c.labels[LABEL.service] ?? '',
    State: c.state,
    Status: c.status,
  };
}
