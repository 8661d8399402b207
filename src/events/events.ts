/**
 * What use cases report while they work. The CLI renders these (progress rows, plain lines
 * or JSON); use cases never print.
 */

export type ResourceKind = 'container' | 'network' | 'volume' | 'image' | 'service';

/** Progress states, worded as docker compose prints them. */
export type ResourceStatus =
  | 'Creating'
  | 'Created'
  | 'Recreate'
  | 'Recreated'
  | 'Starting'
  | 'Started'
  | 'Running'
  | 'Waiting'
  | 'Healthy'
  | 'Exited'
  | 'Stopping'
  | 'Stopped'
  | 'Killing'
  | 'Killed'
  | 'Removing'
  | 'Removed'
  | 'Restarting'
  | 'Restarted'
  | 'Pausing'
  | 'Paused'
  | 'Unpausing'
  | 'Unpaused'
  | 'Pulling'
  | 'Pulled'
  | 'Building'
  | 'Built'
  | 'Skipped'
  | 'Error';

export type BerthEvent =
  | {
      type: 'resource';
      kind: ResourceKind;
      /** Container, network, volume or image name. */
      name: string;
      status: ResourceStatus;
      /** Extra detail: a cause, a wait target, an error message. */
      detail?: string;
      /** Set on a final status: how long the step took. */
      elapsedMs?: number;
    }
  | { type: 'progress'; kind: 'pull' | 'build'; name: string; detail: string; current?: number; total?: number }
  | { type: 'warning'; message: string }
  | { type: 'info'; message: string };

export type EventSink = (event: BerthEvent) => void;

/** A sink that drops everything (for callers that do not report progress). */
export const ignoreEvents: EventSink = () => undefined;
