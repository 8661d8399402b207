/**
 * The StepRunner of the embedded engine: a foreground OCI container (crun or runc, through the
 * runtime module) with Docker's default confinement, no init, and host or no networking.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { resolveUser } from '../image/image-config.js';
import { buildOciConfig } from '../runtime/oci-config.js';
import type { HostFacts } from '../runtime/oci-config.js';
import type { OciRuntime } from '../runtime/runtime.js';
import type { RunStep, StepOutput, StepRunner } from './step-runner.js';

function sink(out: StepOutput, stream: 'stdout' | 'stderr'): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done): void {
      out(chunk, stream);
      done();
    },
  });
}

export class RuntimeStepRunner implements StepRunner {
  constructor(private readonly runtime: OciRuntime, private readonly host: HostFacts) {}

  async run(step: RunStep, out: StepOutput, signal?: AbortSignal): Promise<number> {
    const id = `bth-build-${randomBytes(16).toString('hex')}`;
    const user = await resolveUser(step.user === '' ? undefined : step.user, [{ diffDir: step.rootfs, opaqueDirs: [] }]);
    const spec = buildOciConfig({
      rootfs: step.rootfs,
      readOnlyRootfs: false,
      process: { args: step.args, env: step.env, cwd: step.cwd, uid: user.uid, gid: user.gid, additionalGids: user.additionalGids, terminal: false },
      hostname: step.hostname,
      mounts: step.mounts.map((m) => ({ destination: m.destination, type: 'bind' as const, source: m.source, options: ['rbind', m.readOnly ? 'ro' : 'rw'] })),
      network: { mode: step.network },
      privileged: false,
      capAdd: [],
      capDrop: [],
      securityOpt: [],
      sysctls: {},
      ulimits: [],
      resources: {},
      devices: [],
      cgroupsPath: `/berth-build/${id}`,
    }, this.host);
    await writeFile(join(step.bundleDir, 'config.json'), JSON.stringify(spec));
    return this.runtime.runForeground(id, step.bundleDir, { stdout: sink(out, 'stdout'), stderr: sink(out, 'stderr') }, signal);
  }
}
