import type { Command } from 'commander';
import { setMaxListeners } from 'node:events';
import type { NamedProjectContext, ProjectContext } from '../../app/context.js';
import { streamLogs } from '../../app/logs.js';
import { stop } from '../../app/stop.js';
import { up, type UpOptions } from '../../app/up.js';
import type * as AppWatch from '../../app/watch.js';
import type { WatchReport } from '../../app/watch.js';
import type { EventSink } from '../../events/events.js';
import type { Project } from '../../model/project.js';
import { selectServices } from '../../reconcile/plan.js';
import type { CommandContext } from '../command-context.js';
import { createLogPrinter } from '../render/log-printer.js';
import { lockSettings, withProjectSession } from './lifecycle-shared.js';

const seconds = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line per watch report (undefined: nothing to say). */
/** The watcher (and chokidar) are loaded only by commands that watch. */
export const loadWatch = (): Promise<typeof AppWatch> => import('../../app/watch.js');

export function formatWatchReport(r: WatchReport): string {
  switch (r.type) {
    case 'enabled':
      return `watch: watching ${r.services.join(', ')} (Ctrl-C to stop)`;
    case 'synced':
      return `${r.service}: synced ${plural(r.files, 'file')} in ${seconds(r.elapsedMs)}`;
    case 'deleted':
      return `${r.service}: deleted ${plural(r.files, 'file')}`;
    case 'rebuilt':
      return `${r.service}: rebuilt in ${seconds(r.elapsedMs)}, recreated`;
    case 'restarted':
      return `${r.service}: restarted`;
    case 'exec':
      return `${r.service}: ran exec (exit ${r.exitCode})${r.exitCode !== 0 && r.output !== undefined ? `: ${r.output.split('\n').slice(-3).join(' / ')}` : ''}`;
    case 'reloaded':
      return `watch: project reloaded and reconciled in ${seconds(r.elapsedMs)}`;
    case 'large-batch':
      return `watch: ${r.files} changes in one batch`;
    case 'failed':
      return `${r.service ?? 'watch'}: ${r.action} failed: ${r.reason}; still watching`;
    case 'disabled':
      return 'watch: stopped watching';
  }
}

/** Services with `build` and `develop` are built by the `up` that precedes watching (compose-spec.md §5.2). */
export function withWatchBuilds(project: Project): Project {
  const services = Object.fromEntries(
    Object.entries(project.services).map(([name, s]) => [name, s.build !== undefined && s.develop !== undefined ? { ...s, pull_policy: 'build' } : s]),
  );
  return { ...project, services };
}

export interface WatchSessionOptions {
  services: string[];
  prune: boolean;
  /** No log streaming. */
  quiet: boolean;
  color: boolean;
  prefix: boolean;
  timestamps: boolean;
  /** Reconcile options used after a compose file change. */
  up: UpOptions;
}

/** Only warnings of the use cases' events show while watching; each action prints its own line. */
function watchEvents(cmd: CommandContext): EventSink {
  return (e) => {
    if (e.type === 'warning') cmd.io.writeErr(`warning: ${e.message}\n`);
  };
}

/** Streams logs (unless quiet) and watches until Ctrl-C. */
export async function runWatchSession(cmd: CommandContext, ctx: ProjectContext, opts: WatchSessionOptions): Promise<void> {
  const events = watchEvents(cmd);
  // Every followed container listens for the abort: a session signal of its own, without a listener cap.
  const session = new AbortController();
  setMaxListeners(0, session.signal);
  const onAbort = (): void => session.abort();
  if (cmd.signal.aborted) session.abort();
  else cmd.signal.addEventListener('abort', onAbort, { once: true });
  const project = ctx.project;
  let logs: Promise<void> = Promise.resolve();
  if (!opts.quiet) {
    const printer = createLogPrinter(cmd.io, { color: opts.color, prefix: opts.prefix, timestamps: opts.timestamps });
    const named: NamedProjectContext = { projectName: project.name, project, engine: ctx.engine, events, parallel: ctx.parallel, signal: session.signal };
    const attached = selectServices(project, opts.services, false).filter((s) => project.services[s]?.attach !== false);
    logs = streamLogs(
      named,
      { services: attached, follow: true, timestamps: opts.timestamps, since: Math.floor(Date.now() / 1000) - 1 },
      (source, line) => printer.line(source.name, source.service, line),
      (source) => printer.register(source.name, source.service),
    ).catch((err: unknown) => cmd.io.writeErr(`warning: log streaming stopped: ${err instanceof Error ? err.message : String(err)}\n`));
  }
  try {
    const { watch } = await loadWatch();
    await watch(
      { ...ctx, events, signal: session.signal },
      {
        services: opts.services,
        prune: opts.prune,
        onReport: (r) => cmd.io.writeOut(`${formatWatchReport(r)}\n`),
        reload: { load: { ...cmd.loadOptions(), services: opts.services }, up: opts.up },
      },
    );
  } finally {
    session.abort();
    await logs;
  }
  cmd.signal.removeEventListener('abort', onAbort);
}

/** `up --watch`: watch after an attached `up`; Ctrl-C stops watching, then stops the project like attached `up`. */
export async function upWatch(cmd: CommandContext, ctx: ProjectContext, opts: WatchSessionOptions, timeoutSeconds: number | undefined): Promise<number> {
  await runWatchSession(cmd, ctx, opts);
  cmd.io.writeErr('Gracefully stopping... (press Ctrl+C again to force)\n');
  const named: NamedProjectContext = { projectName: ctx.project.name, project: ctx.project, engine: ctx.engine, events: ctx.events, parallel: ctx.parallel, signal: new AbortController().signal };
  await stop(named, { services: selectServices(ctx.project, opts.services, opts.up.noDeps), ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}) });
  return 130;
}

function watchUpOptions(services: string[]): UpOptions {
  return {
    services, noDeps: false, build: 'policy', quietPull: false, recreate: 'diverged', recreateDependencies: 'never',
    renewAnonVolumes: false, removeOrphans: false, scale: {}, noStart: false, wait: false, dryRun: false,
  };
}

/** Registers `watch`. */
export function registerWatchCommands(program: Command, cmd: CommandContext): void {
  program
    .command('watch')
    .description('Watch build context for service and rebuild/refresh containers when files are updated')
    .argument('[services...]', 'services to watch (default: all with a develop section)')
    .option('--no-up', 'do not build and start services before watching')
    .option('--prune', 'prune dangling images on rebuild (default)', true)
    .option('--no-prune', 'keep the images rebuilds replace')
    .option('--quiet', 'hide build output and logs')
    .action(async (services: string[], raw: { up: boolean; prune: boolean; quiet?: boolean }) => {
      const upOpts = watchUpOptions(services);
      await withProjectSession(
        cmd,
        services,
        async (ctx) => {
          await (await loadWatch()).checkWatch(ctx.project, services);
          if (raw.up) await up({ ...ctx, project: withWatchBuilds(ctx.project) }, { ...upOpts, quietPull: raw.quiet === true, lock: lockSettings(cmd) });
        },
        async (ctx) => {
          const color = cmd.color(cmd.io.stdoutIsTTY);
          await runWatchSession(cmd, ctx, { services, prune: raw.prune, quiet: raw.quiet === true, color, prefix: true, timestamps: false, up: upOpts });
        },
      );
    });
}
