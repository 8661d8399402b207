/**
 * A RUN step: overlay of the stage's layers (plus a small init layer holding the mount points,
 * as Docker's init layer does, so they never land in the diff), the process run by the
 * StepRunner, and the upperdir turned into a layer.
 */
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile, chmod, chown } from 'node:fs/promises';
import { join } from 'node:path';
import { mountOverlay, unmountOverlay } from '../state/overlay.js';
import { parseExtraHost } from '../network/hosts-file.js';
import type { LayerView } from '../image/image-config.js';
import { mergedLstat } from './merged-view.js';
import type { StepOutput, StepRunner } from './step-runner.js';
import { upperDiffEntries } from './upper-diff.js';
import type { LayerEntry } from './layer-tar.js';

export interface RunStepInput {
  runner: StepRunner;
  tmpDir: string;
  layers: readonly LayerView[];
  args: string[];
  env: string[];
  cwd: string;
  user: string;
  network: 'host' | 'none';
  extraHosts: readonly string[];
  out: StepOutput;
  signal?: AbortSignal;
}

const HOSTNAME = 'berth-build';

function hostsFile(extraHosts: readonly string[]): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', `127.0.1.1\t${HOSTNAME}`];
  for (const e of extraHosts) {
    const p = parseExtraHost(e);
    if (p !== undefined && p.ip !== 'host-gateway') lines.push(`${p.ip}\t${p.host}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Mount points (and their parents) with the image's metadata where the image has them. */
async function initLayer(dir: string, layers: readonly LayerView[]): Promise<void> {
  for (const d of ['dev', 'proc', 'sys', 'etc']) {
    const path = join(dir, d);
    await mkdir(path);
    const st = await mergedLstat(layers, d);
    if (st?.isDirectory() === true) {
      await chown(path, st.uid, st.gid);
      await chmod(path, st.mode & 0o7777);
    }
  }
  for (const f of ['hosts', 'resolv.conf', 'hostname']) await writeFile(join(dir, 'etc', f), '', { mode: 0o644 });
  const etc = await mergedLstat(layers, 'etc');
  if (etc?.isDirectory() === true) await utimes(join(dir, 'etc'), etc.atime, etc.mtime);
}

/** Runs the step; resolves with its exit code and (on success) the diff's entries, or throws on a runtime failure. */
export async function runStep(input: RunStepInput, onDiff: (entries: LayerEntry[]) => Promise<void>): Promise<number> {
  const dir = await mkdtemp(join(input.tmpDir, 'run-'));
  const merged = join(dir, 'merged');
  let mounted = false;
  try {
    const init = join(dir, 'init');
    await mkdir(init);
    await initLayer(init, input.layers);
    const files = join(dir, 'files');
    await mkdir(files);
    await writeFile(join(files, 'hosts'), hostsFile(input.extraHosts));
    const resolv = input.network === 'host' ? await readFile('/etc/resolv.conf').catch(() => Buffer.alloc(0)) : Buffer.alloc(0);
    await writeFile(join(files, 'resolv.conf'), resolv);
    await writeFile(join(files, 'hostname'), `${HOSTNAME}\n`);
    const bundleDir = join(dir, 'bundle');
    await mkdir(bundleDir);
    await mountOverlay({ lowerDirs: [init, ...input.layers.map((l) => l.diffDir)], upperDir: join(dir, 'upper'), workDir: join(dir, 'work'), target: merged });
    mounted = true;
    const code = await input.runner.run({
      rootfs: merged, bundleDir, args: input.args, env: input.env, cwd: input.cwd, user: input.user, network: input.network, hostname: HOSTNAME,
      mounts: ['hosts', 'resolv.conf', 'hostname'].map((f) => ({ destination: `/etc/${f}`, source: join(files, f), readOnly: false })),
    }, input.out, input.signal);
    await unmountOverlay(merged);
    mounted = false;
    if (code === 0) await onDiff(await upperDiffEntries(join(dir, 'upper')));
    return code;
  } finally {
    if (mounted) await unmountOverlay(merged).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
