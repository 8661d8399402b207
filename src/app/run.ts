import type { Readable } from 'node:stream';
import type { MountSpec, PortBinding, TerminalSizeSource } from '../engine/engine.js';
import { LABEL } from '../model/labels.js';
import { buildContainerSpec } from '../reconcile/container-spec.js';
import { execute } from '../reconcile/execute.js';
import { newSlug, serviceImage, volumeName } from '../reconcile/naming.js';
import { observe } from '../reconcile/observe.js';
import { Plan, planUp } from '../reconcile/plan.js';
import { copiesArchive } from '../reconcile/spec-mounts.js';
import { waitCondition } from '../reconcile/wait-conditions.js';
import type { ProjectContext } from './context.js';
import { LifecycleError, createLimiter, projectContainers } from './lifecycle/common.js';
import { up, type LockSettings } from './up.js';

export interface RunOptions {
  service: string;
  /** Command override (empty: the service's command). */
  command: string[];
  entrypoint?: string[];
  env: string[];
  labels: Record<string, string>;
  /** `-p` specs (`[ip:]host:container[/proto]`). */
  publish: string[];
  /** `-P`: publish the service's ports. */
  servicePorts: boolean;
  /** `-v` short syntax. */
  volumes: string[];
  workdir?: string;
  user?: string;
  name?: string;
  rm: boolean;
  detach: boolean;
  tty: boolean;
  interactive: boolean;
  noDeps: boolean;
  useAliases: boolean;
  build: 'policy' | 'always' | 'never';
  pull?: 'always' | 'missing' | 'never' | 'build';
  removeOrphans: boolean;
  /** Forwarded to the container with `interactive`. */
  stdin?: Readable;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** With `tty`: the local terminal whose size the container's tty follows. */
  terminal?: TerminalSizeSource;
  /**
   * Brackets the attached session: `begin` right before the container's streams are connected
   * (the CLI ends its progress display and puts a terminal in raw mode), `end` once they are
   * done, also on failure.
   */
  session?: { begin(): void; end(): void };
  lock?: LockSettings;
}

export interface RunResult {
  containerId: string;
  name: string;
  /** Undefined with `-d`. */
  exitCode?: number;
}

export function parsePublish(spec: string): PortBinding {
  const [addr = '', proto = 'tcp'] = spec.split('/');
  const parts = addr.split(':');
  const containerPort = Number(parts.pop());
  const hostPort = parts.pop() ?? '';
  const hostIp = parts.join(':').replace(/^\[|\]$/g, '');
  if (!Number.isInteger(containerPort) || containerPort <= 0) throw new LifecycleError(`invalid port specification: "${spec}"`);
  return { containerPort, hostPort, hostIp, protocol: proto === 'udp' ? 'udp' : proto === 'sctp' ? 'sctp' : 'tcp' };
}

function parseVolume(ctx: ProjectContext, spec: string): MountSpec {
  const [source = '', target, mode] = spec.split(':');
  if (target === undefined) return { type: 'volume', target: source, readOnly: false, noCopy: false };
  const readOnly = mode?.split(',').includes('ro') ?? false;
  if (source.startsWith('/') || source.startsWith('.') || source.startsWith('~')) {
    const abs = source.startsWith('/') ? source : `${ctx.project.workingDir}/${source.replace(/^\.\/?/, '')}`;
    return { type: 'bind', source: abs, target, readOnly, createHostPath: true };
  }
  const name = ctx.project.volumes[source] !== undefined ? volumeName(ctx.project, source) : source;
  return { type: 'volume', source: name, target, readOnly, noCopy: false };
}

/** `run`: a one-off container of a service. Resolves with its exit code unless detached. */
export async function run(ctx: ProjectContext, opts: RunOptions): Promise<RunResult> {
  const { project, engine, events } = ctx;
  const s = project.services[opts.service];
  if (s === undefined) throw new LifecycleError(`no such service: ${opts.service}`);
  const deps = Object.keys(s.depends_on ?? {}).filter((d) => project.services[d] !== undefined);
  const common = { noDeps: false, build: opts.build, quietPull: false, recreate: 'diverged', recreateDependencies: 'diverged', renewAnonVolumes: false, removeOrphans: opts.removeOrphans, scale: {}, noStart: false, wait: false, dryRun: false } as const;
  if (!opts.noDeps && deps.length > 0) {
    await up(ctx, { ...common, services: deps, ...(opts.pull !== undefined ? { pull: opts.pull } : {}), ...(opts.lock !== undefined ? { lock: opts.lock } : {}) });
  }
  // The one-off's own networks, volumes and image.
  const observed = await observe(engine, project.name, project);
  const full = planUp(project, observed, { ...common, services: [s.name], noDeps: true, now: Date.now(), ...(opts.pull !== undefined ? { pull: opts.pull } : {}) });
  const resourcesOnly = new Plan(project.name, full.operations.filter((o) => o.kind !== 'container'), []);
  await execute(resourcesOnly, project, observed, { engine, events, parallel: ctx.parallel, noStart: true, ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}) });
  const running = await projectContainers(engine, project.name);
  const first = (svc: string): { id: string; name: string } | undefined => {
    const c = running.find((x) => x.labels[LABEL.service] === svc);
    return c !== undefined ? { id: c.id, name: c.name } : undefined;
  };
  if (!opts.noDeps) {
    const limiter = createLimiter(ctx.parallel, ctx.signal);
    for (const [dep, cond] of Object.entries(s.depends_on ?? {})) {
      const refs = running.filter((x) => x.labels[LABEL.service] === dep).map((x) => ({ id: x.id, name: x.name }));
      await waitCondition(engine, limiter, events, s.name, dep, cond, refs, ctx.signal);
    }
  }
  const image = await engine.inspectImage(serviceImage(project.name, s));
  const { spec, copies } = buildContainerSpec({
    project,
    service: s,
    number: 0,
    ...(image !== undefined ? { imageId: image.id } : {}),
    serviceContainer: first,
    oneOff: { slug: newSlug(), publishPorts: opts.servicePorts, useAliases: opts.useAliases, ...(opts.name !== undefined ? { name: opts.name } : {}) },
  });
  if (opts.command.length > 0) spec.command = opts.command;
  if (opts.entrypoint !== undefined) spec.entrypoint = opts.entrypoint;
  if (opts.workdir !== undefined) spec.workingDir = opts.workdir;
  if (opts.user !== undefined) spec.user = opts.user;
  const env = new Map(spec.env.map((e) => [e.split('=')[0] ?? '', e]));
  for (const e of opts.env) env.set(e.split('=')[0] ?? '', e.includes('=') ? e : `${e}=${project.environment[e] ?? ''}`);
  spec.env = [...env.values()];
  Object.assign(spec.labels, opts.labels);
  spec.ports = [...spec.ports, ...opts.publish.map(parsePublish)];
  spec.mounts = [...spec.mounts.filter((m) => !opts.volumes.some((v) => parseVolume(ctx, v).target === m.target)), ...opts.volumes.map((v) => parseVolume(ctx, v))];
  spec.tty = opts.tty;
  spec.stdinOpen = opts.interactive;
  // `docker run -i`: the end of berth's input is the end of the container's.
  if (opts.interactive && !opts.detach) spec.stdinOnce = true;
  const id = await engine.createContainer(spec);
  events({ type: 'resource', kind: 'container', name: spec.name, status: 'Created' });
  for (const extra of spec.networks.slice(1)) await engine.connectNetwork(extra.network, id, extra);
  if (copies.length > 0) {
    await engine.copyTo(id, '/', copiesArchive(copies));
  }
  if (opts.detach) {
    await engine.startContainer(id);
    return { containerId: id, name: spec.name };
  }
  const session = opts.stdout !== undefined && opts.stderr !== undefined ? opts.session : undefined;
  try {
    let output: Promise<void> | undefined;
    if (opts.stdout !== undefined && opts.stderr !== undefined) {
      let established!: () => void;
      const attached = new Promise<void>((resolve) => (established = resolve));
      session?.begin();
      output = engine.attach(id, {
        stdout: opts.stdout, stderr: opts.stderr, tty: opts.tty, onAttached: () => established(),
        ...(opts.interactive && opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
        ...(opts.tty && opts.terminal !== undefined ? { terminal: opts.terminal } : {}),
      });
      // Started only once attached (like `docker run`): a container that exits at once loses no output.
      await Promise.race([attached, output]);
    }
    await engine.startContainer(id);
    const exitCode = await engine.waitContainer(id);
    await output?.catch(() => undefined);
    return { containerId: id, name: spec.name, exitCode };
  } finally {
    session?.end();
    if (opts.rm) await engine.removeContainer(id, { force: true, volumes: true });
  }
}
