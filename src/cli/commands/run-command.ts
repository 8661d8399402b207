import type { Command } from 'commander';
import { run } from '../../app/run.js';
import { UsageError } from '../../errors/diagnostic.js';
import { ShellWordsError, splitShellWords } from '../../model/shell-words.js';
import type { CommandContext } from '../command-context.js';
import { collect, lockSettings, parsePull, withProjectSession } from './lifecycle-shared.js';

interface RunFlags {
  detach?: boolean;
  rm?: boolean;
  name?: string;
  env?: string[];
  label?: string[];
  publish?: string[];
  servicePorts?: boolean;
  volume?: string[];
  workdir?: string;
  user?: string;
  entrypoint?: string;
  interactive: boolean;
  tty: boolean;
  deps: boolean;
  build?: boolean;
  pull?: string;
  removeOrphans?: boolean;
  useAliases?: boolean;
}

export function registerRun(program: Command, cmd: CommandContext): void {
  program
    .command('run')
    .description('Run a one-off command on a service')
    .argument('<service>')
    .argument('[command...]')
    .passThroughOptions()
    .option('-d, --detach', 'run container in background and print container ID')
    .option('--rm', 'automatically remove the container when it exits')
    .option('--name <name>', 'assign a name to the container')
    .option('-e, --env <KEY=VAL>', 'set environment variables (repeatable)', collect)
    .option('-l, --label <KEY=VAL>', 'add or override a label (repeatable)', collect)
    .option('-p, --publish <port>', "publish a container's port(s) to the host (repeatable)", collect)
    .option('-P, --service-ports', "run command with all service's ports enabled and mapped to the host")
    .option('-v, --volume <volume>', 'bind mount a volume (repeatable)', collect)
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('-u, --user <user>', 'run as specified username or uid')
    .option('--entrypoint <cmd>', 'override the entrypoint of the image')
    .option('-i, --interactive', 'keep STDIN open even if not attached', true)
    .option('-T, --no-tty', 'disable pseudo-TTY allocation (default: auto-detected)')
    .option('--no-deps', "don't start linked services")
    .option('--build', 'build image before starting container')
    .option('--pull <policy>', 'pull image before running ("always"|"missing"|"never")')
    .option('--remove-orphans', 'remove containers for services not defined in the compose file')
    .option('--use-aliases', "use the service's network aliases in the network(s) the container connects to")
    .action(async (service: string, command: string[], f: RunFlags) => {
      const pull = parsePull(f.pull);
      const labels: Record<string, string> = {};
      for (const l of f.label ?? []) {
        const i = l.indexOf('=');
        if (i <= 0) throw new UsageError(`invalid label "${l}": expected KEY=VALUE`);
        labels[l.slice(0, i)] = l.slice(i + 1);
      }
      if (f.detach === true && f.rm === true) throw new UsageError('--detach and --rm cannot be combined');
      if (cmd.globals().dryRun) return;
      await withProjectSession(
        cmd,
        [service],
        async (ctx, progress) => {
          const tty = f.tty && f.detach !== true && cmd.io.stdoutIsTTY && cmd.io.stdinIsTTY;
          try {
            return await run(
              { ...ctx },
              {
                service,
                command,
                ...(f.entrypoint !== undefined ? { entrypoint: entrypointWords(f.entrypoint) } : {}),
                env: f.env ?? [],
                labels,
                publish: f.publish ?? [],
                servicePorts: f.servicePorts === true,
                volumes: f.volume ?? [],
                ...(f.workdir !== undefined ? { workdir: f.workdir } : {}),
                ...(f.user !== undefined ? { user: f.user } : {}),
                ...(f.name !== undefined ? { name: f.name } : {}),
                rm: f.rm === true,
                detach: f.detach === true,
                tty,
                // Like `docker compose run`: stdin is forwarded by default, terminal or not.
                interactive: f.interactive && f.detach !== true,
                noDeps: !f.deps,
                useAliases: f.useAliases === true,
                build: f.build === true ? 'always' : 'policy',
                ...(pull !== undefined ? { pull } : {}),
                removeOrphans: f.removeOrphans === true,
                stdin: cmd.io.stdin,
                stdout: cmd.io.stdout,
                stderr: cmd.io.stderr,
                ...(tty && cmd.io.terminal !== undefined ? { terminal: cmd.io.terminal } : {}),
                session: {
                  // The progress display ends before the container's output starts; a tty
                  // session gets the keystrokes as they are typed.
                  begin: () => {
                    progress.done();
                    if (tty) cmd.io.setRawMode?.(true);
                  },
                  end: () => {
                    if (tty) cmd.io.setRawMode?.(false);
                  },
                },
                lock: lockSettings(cmd),
              },
            );
          } finally {
            // Reading stdin for the container would otherwise keep berth alive after it exited.
            if (f.interactive && f.detach !== true) cmd.io.stdin.destroy();
          }
        },
        (_ctx, result) => {
          if (result.exitCode === undefined) cmd.io.writeOut(`${result.containerId}\n`);
          else cmd.setExitCode(result.exitCode);
        },
      );
    });
}

function entrypointWords(text: string): string[] {
  try {
    return splitShellWords(text);
  } catch (err) {
    if (err instanceof ShellWordsError) throw new UsageError(`invalid --entrypoint "${text}": ${err.message}`);
    throw err;
  }
}
