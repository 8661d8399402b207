/** How the builder runs a RUN step's process in a prepared root file system. */
export interface StepMount {
  destination: string;
  source: string;
  readOnly: boolean;
}

export interface RunStep {
  /** A mounted, writable root file system (the step's overlay). */
  rootfs: string;
  /** An empty directory the runner may use for its bundle. */
  bundleDir: string;
  args: string[];
  env: string[];
  cwd: string;
  /** USER as written (`name`, `uid`, `name:group`, …); '' is root. */
  user: string;
  network: 'host' | 'none';
  hostname: string;
  /** Bind mounts for /etc/hosts, /etc/resolv.conf and /etc/hostname (their targets exist in the rootfs). */
  mounts: StepMount[];
}

export type StepOutput = (chunk: Buffer, stream: 'stdout' | 'stderr') => void;

export interface StepRunner {
  /** Runs the step to completion and resolves with its exit code. */
  run(step: RunStep, out: StepOutput, signal?: AbortSignal): Promise<number>;
}
