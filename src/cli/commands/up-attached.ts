import type { NamedProjectContext, ProjectContext } from '../../app/context.js';
import { projectContainers } from '../../app/lifecycle/common.js';
import { streamLogs, type LogSource } from '../../app/logs.js';
import { stop } from '../../app/stop.js';
import { ignoreEvents } from '../../events/events.js';
import { LABEL } from '../../model/labels.js';
import { selectServices } from '../../reconcile/plan.js';
import type { CommandContext } from '../command-context.js';
import { createLogPrinter } from '../render/log-printer.js';
import { createProgressRenderer } from '../render/progress.js';
import { parseTimeout } from './lifecycle-shared.js';
import type { UpFlags } from './up-flags.js';

/** Services whose logs an attached `up` shows (compose-spec.md §3.4). */
function attachedServices(ctx: ProjectContext, services: string[], f: UpFlags): string[] {
  const selected = selectServices(ctx.project, services, f.noDeps === true);
  let out: string[];
  if (f.attach !== undefined) out = f.attach;
  else if (f.attachDependencies === true) out = selected;
  else out = (services.length > 0 ? services : selected).filter((s) => ctx.project.services[s]?.attach !== false);
  const no = new Set(f.noAttach ?? []);
  return out.filter((s) => !no.has(s));
}

/**
 * Attached `up`: streams the logs of the attached services until every attached container
 * (and the `--exit-code-from` one) has exited, an abort flag triggers on one of them, or
 * Ctrl-C (graceful stop of every selected service, exit 130). Returns the exit code.
 */
export async function attachAfterUp(cmd: CommandContext, ctx: ProjectContext, services: string[], f: UpFlags): Promise<number> {
  const { engine, project } = ctx;
  const printer = createLogPrinter(cmd.io, { color: f.color && cmd.color(cmd.io.stdoutIsTTY), prefix: f.noLogPrefix !== true, timestamps: f.timestamps === true });
  const stopLogs = new AbortController();
  const onInterrupt = (): void => stopLogs.abort();
  cmd.signal.addEventListener('abort', onInterrupt, { once: true });
  const named: NamedProjectContext = { projectName: project.name, project, engine, events: ignoreEvents, parallel: ctx.parallel, signal: stopLogs.signal };
  const selected = selectServices(project, services, f.noDeps === true);
  const attached = attachedServices(ctx, services, f);
  const watched = new Set([...attached, ...(f.exitCodeFrom !== undefined ? [f.exitCodeFrom] : [])]);
  // Detached services (`attach: false`, `--no-attach`) run on: only watched containers end `up`.
  const containers = (await projectContainers(engine, project.name, { services: selected })).filter((c) => watched.has(c.labels[LABEL.service] ?? ''));
  for (const c of containers) if (attached.includes(c.labels[LABEL.service] ?? '')) printer.register(c.name.slice(project.name.length + 1), c.labels[LABEL.service] ?? '');
  const drained = new Map<string, { done: Promise<void>; resolve: () => void }>();
  const drainOf = (id: string): { done: Promise<void>; resolve: () => void } => {
    let d = drained.get(id);
    if (d === undefined) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      d = { done, resolve };
      drained.set(id, d);
    }
    return d;
  };
  const aborted$ = new Promise<void>((r) => stopLogs.signal.addEventListener('abort', () => r(), { once: true }));
  // From the start of this berth process, so output of containers that this `up` started (and
  // that exited before the logs were followed) is not lost.
  const since = Math.floor(performance.timeOrigin / 1000);
  const logOpts = { services: attached, follow: true, timestamps: f.timestamps === true, since, onStreamEnd: (s: LogSource) => drainOf(s.containerId).resolve() };
  const logs = streamLogs(named, logOpts, (source, line) =>
    printer.line(source.name, source.service, line),
  ).catch(() => undefined);

  let exitCode = 0;
  let aborted = false;
  await Promise.all(
    containers.map(async (c) => {
      let code: number;
      try {
        code = await engine.waitContainer(c.id, stopLogs.signal);
      } catch {
        return;
      }
      // Everything the container wrote is shown before `up` ends or aborts because of it.
      if (attached.includes(c.labels[LABEL.service] ?? '')) await Promise.race([drainOf(c.id).done, aborted$]);
      if (!stopLogs.signal.aborted && (f.abortOnContainerExit === true || (f.abortOnContainerFailure === true && code !== 0))) {
        aborted = true;
        if (f.abortOnContainerFailure === true) exitCode = code;
        stopLogs.abort();
      }
    }),
  );
  stopLogs.abort();
  await logs;
  cmd.signal.removeEventListener('abort', onInterrupt);
  if (cmd.signal.aborted || aborted) {
    if (cmd.signal.aborted) cmd.io.writeErr('Gracefully stopping... (press Ctrl+C again to force)\n');
    else cmd.io.writeErr('Aborting on container exit...\n');
    const progress = createProgressRenderer(cmd.globals(), cmd.io);
    try {
      const timeout = parseTimeout(f.timeout);
      await stop({ ...named, events: progress.sink, signal: new AbortController().signal }, { services: selected, ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}) });
    } finally {
      progress.done();
    }
  }
  if (f.exitCodeFrom !== undefined) {
    const c = (await projectContainers(engine, project.name, { services: [f.exitCodeFrom] }))[0];
    if (c !== undefined) exitCode = (await engine.inspectContainer(c.id)).exitCode;
  }
  if (cmd.signal.aborted) return 130;
  return exitCode;
}
