import kleur from 'kleur';
import type { BerthEvent, ResourceKind, ResourceStatus } from '../../events/events.js';

const KIND_LABEL: Record<ResourceKind, string> = {
  container: 'Container',
  network: 'Network',
  volume: 'Volume',
  image: 'Image',
  service: 'Service',
};

export function kindLabel(kind: ResourceKind): string {
  return KIND_LABEL[kind];
}

export type StatusPhase = 'working' | 'done' | 'failed';

/** Whether a status means the resource is still being worked on, reached a state, or failed. */
export function statusPhase(status: ResourceStatus): StatusPhase {
  switch (status) {
    case 'Creating':
    case 'Recreate':
    case 'Starting':
    case 'Waiting':
    case 'Stopping':
    case 'Killing':
    case 'Removing':
    case 'Restarting':
    case 'Pausing':
    case 'Unpausing':
    case 'Pulling':
    case 'Building':
      return 'working';
    case 'Created':
    case 'Recreated':
    case 'Started':
    case 'Running':
    case 'Healthy':
    case 'Exited':
    case 'Stopped':
    case 'Killed':
    case 'Removed':
    case 'Restarted':
    case 'Paused':
    case 'Unpaused':
    case 'Pulled':
    case 'Built':
    case 'Skipped':
      return 'done';
    case 'Error':
      return 'failed';
  }
}

/** `1.2s`, the way docker compose shows step timings. */
export function formatElapsed(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

/** `45%` when a total is known. */
export function formatPercent(current: number | undefined, total: number | undefined): string | undefined {
  if (current === undefined || total === undefined || total <= 0) return undefined;
  return `${Math.min(100, Math.floor((current / total) * 100))}%`;
}

/** `Container p-web-1  Started` (+ `  detail`). */
export function resourceLine(kind: ResourceKind, name: string, status: ResourceStatus, detail: string | undefined, color: boolean): string {
  kleur.enabled = color;
  const statusText = status === 'Error' ? kleur.red(status) : status;
  const detailText = detail === undefined || detail === '' ? '' : `  ${status === 'Error' ? kleur.red(detail) : detail}`;
  return `${kindLabel(kind)} ${name}  ${statusText}${detailText}`;
}

export function warningLine(message: string, color: boolean): string {
  kleur.enabled = color;
  return `${kleur.yellow('warning')}: ${message}`;
}

/**
 * Plain (non-TTY) rendering: one line per state change. Pull progress is reduced to one line
 * per distinct status of an image (not one per byte).
 */
export function createPlainFormatter(color: boolean): (event: BerthEvent) => string | undefined {
  const lastProgress = new Map<string, string>();
  return (event) => {
    switch (event.type) {
      case 'resource':
        return resourceLine(event.kind, event.name, event.status, event.detail, color);
      case 'progress': {
        const key = `${event.kind}:${event.name}`;
        if (lastProgress.get(key) === event.detail) return undefined;
        lastProgress.set(key, event.detail);
        return `Image ${event.name}  ${event.detail}`;
      }
      case 'warning':
        return warningLine(event.message, color);
      case 'info':
        return event.message;
    }
  };
}

/** `--progress json`: the event itself, one object per line. */
export function jsonLine(event: BerthEvent): string {
  return JSON.stringify(event);
}
