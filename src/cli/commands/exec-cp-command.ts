import type { Command } from 'commander';
import { copy } from '../../app/cp.js';
import { execInService } from '../../app/exec.js';
import type { CommandContext } from '../command-context.js';
import { collect, namedContext, parseInteger } from './inspection-support.js';

interface ExecFlags {
  detach?: boolean;
  env?: string[];
  user?: string;
  workdir?: string;
  index?: string;
  tty: boolean;
  privileged?: boolean;
  interactive: boolean;
}

export function registerExec(program: Command, ctx: CommandContext): void {
  program
    .command('exec')
    .description('Execute a command in a running container')
    .argument('<service>', 'service name')
    .argument('<command...>', 'command and its arguments')
    .passThroughOptions()
    .option('-d, --detach', 'run the command in the background')
    .option('-e, --env <KEY=VAL>', 'set an environment variable (repeatable)', collect)
    .option('-u, --user <user>', 'run the command as this user')
    .option('-w, --workdir <dir>', 'working directory for the command')
    .option('--index <n>', 'index of the container if the service has multiple replicas')
    .option('-T, --no-tty', 'disable pseudo-TTY allocation (by default a TTY is allocated when stdin is one)')
    .option('-i, --interactive', 'keep STDIN open (always on, accepted for compatibility)', true)
    .option('--privileged', 'give extended privileges to the process')
    .action(async (service: string, command: string[], flags: ExecFlags) => {
      const nctx = await namedContext(ctx, [service]);
      const index = flags.index === undefined ? undefined : parseInteger('--index', flags.index, 1);
      const io = ctx.io;
      const tty = flags.tty && io.stdinIsTTY && flags.detach !== true;
      const attachStdin = flags.detach !== true;
      if (tty) io.setRawMode?.(true);
      try {
        const code = await execInService(nctx, {
          service,
          command,
          env: flags.env ?? [],
          privileged: flags.privileged === true,
          tty,
          detach: flags.detach === true,
          stdout: io.stdout,
          stderr: io.stderr,
          ...(attachStdin ? { stdin: io.stdin } : {}),
          ...(tty && io.terminal !== undefined ? { terminal: io.terminal } : {}),
          ...(index === undefined ? {} : { index }),
          ...(flags.user === undefined ? {} : { user: flags.user }),
          ...(flags.workdir === undefined ? {} : { workingDir: flags.workdir }),
        });
        ctx.setExitCode(code);
      } finally {
        if (tty) io.setRawMode?.(false);
        // Reading stdin for the exec would otherwise keep berth alive after the command ended.
        if (attachStdin) io.stdin.destroy();
      }
    });
}

export function registerCp(program: Command, ctx: CommandContext): void {
  program
    .command('cp')
    .description('Copy files/folders between a service container and the local filesystem')
    .argument('<source>', 'SERVICE:SRC_PATH or a local path ("-" is not supported)')
    .argument('<destination>', 'a local path or SERVICE:DEST_PATH')
    .option('--index <n>', 'index of the container if the service has multiple replicas')
    .option('--all', 'copy to all the containers of the service (one-off ones too)')
    .option('-a, --archive', 'archive mode (copy all uid/gid information)')
    .option('-L, --follow-link', 'always follow a symbol link given as SRC_PATH')
    .action(async (source: string, destination: string, flags: { index?: string; all?: boolean; archive?: boolean; followLink?: boolean }) => {
      const nctx = await namedContext(ctx);
      const index = flags.index === undefined ? undefined : parseInteger('--index', flags.index, 1);
      await copy(nctx, {
        source,
        destination,
        cwd: ctx.io.cwd,
        all: flags.all === true,
        archive: flags.archive === true,
        followLink: flags.followLink === true,
        ...(index === undefined ? {} : { index }),
      });
    });
}
