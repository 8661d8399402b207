import type { PublishedPort } from '../../engine/engine.js';

/** Docker's `HumanDuration`: `Less than a second`, `5 seconds`, `About a minute`, `3 hours`, … */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.floor(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(h / 24 / 365)} years`;
}

/** `2 minutes ago` for a creation time in epoch seconds. */
export function createdAgo(createdSeconds: number, nowMs: number): string {
  return `${humanDuration(nowMs / 1000 - createdSeconds)} ago`;
}

/** Docker's decimal sizes with three significant digits: `4.26MB`, `512B`, `1.2GB`. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(3))}${units[unit] ?? 'B'}`;
}

/** Docker's `Ellipsis`: at most `max` characters, the last one `…` when cut. */
export function ellipsis(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** A Go RFC3339Nano time: fraction digits without trailing zeros. */
export function rfc3339Nano(timeNano: bigint): string {
  const seconds = timeNano / 1_000_000_000n;
  const frac = (timeNano % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}${frac === '' ? '' : `.${frac}`}Z`;
}

function hostAddress(ip: string): string {
  if (ip === '') return '0.0.0.0';
  return ip.includes(':') ? `[${ip}]` : ip;
}

/**
 * The PORTS column like docker: `127.0.0.1:8080->80/tcp`, unpublished `80/tcp`, consecutive
 * ports of one address and protocol merged into ranges (`0.0.0.0:8000-8001->8000-8001/tcp`).
 */
export function formatPorts(ports: readonly PublishedPort[]): string {
  const sorted = [...ports].sort(
    (a, b) => Number(a.hostIp.includes(':')) - Number(b.hostIp.includes(':')) || a.hostIp.localeCompare(b.hostIp) || a.protocol.localeCompare(b.protocol) || a.containerPort - b.containerPort || a.hostPort - b.hostPort,
  );
  const groups: Array<{ first: PublishedPort; last: PublishedPort }> = [];
  for (const p of sorted) {
    const g = groups[groups.length - 1];
    const follows =
      g !== undefined &&
      g.last.hostIp === p.hostIp &&
      g.last.protocol === p.protocol &&
      g.last.containerPort + 1 === p.containerPort &&
      (g.last.hostPort === 0 ? p.hostPort === 0 : g.last.hostPort + 1 === p.hostPort);
    if (follows) g.last = p;
    else groups.push({ first: p, last: p });
  }
  const range = (a: number, b: number): string => (a === b ? String(a) : `${a}-${b}`);
  return groups
    .map(({ first, last }) => {
      const target = `${range(first.containerPort, last.containerPort)}/${first.protocol}`;
      if (first.hostPort === 0) return target;
      return `${hostAddress(first.hostIp)}:${range(first.hostPort, last.hostPort)}->${target}`;
    })
    .join(', ');
}
