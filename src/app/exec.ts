import type { Readable } from 'node:stream';
import type { TerminalSizeSource } from '../engine/engine.js';
import type { NamedProjectContext } from './context.js';
import { serviceContainer } from './inspect/service-container.js';

export interface ExecServiceOptions {
  service: string;
  command: string[];
  index?: number;
  env: string[];
  user?: string;
  workingDir?: string;
  privileged: boolean;
  tty: boolean;
  detach: boolean;
  stdin?: Readable;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** With `tty`: the local terminal whose size the exec's tty follows. */
  terminal?: TerminalSizeSource;
}

/** `exec`: runs a command in a running container of the service; resolves with its exit code. */
export async function execInService(ctx: NamedProjectContext, opts: ExecServiceOptions): Promise<number> {
  const c = await serviceContainer(ctx.engine, ctx.projectName, opts.service, { running: true, ...(opts.index === undefined ? {} : { index: opts.index }) });
  const result = await ctx.engine.exec(c.id, {
    command: opts.command,
    env: opts.env,
    privileged: opts.privileged,
    tty: opts.tty,
    detach: opts.detach,
    stdout: opts.stdout,
    stderr: opts.stderr,
    ...(opts.user === undefined ? {} : { user: opts.user }),
    ...(opts.workingDir === undefined ? {} : { workingDir: opts.workingDir }),
    ...(opts.stdin === undefined ? {} : { stdin: opts.stdin }),
    ...(opts.tty && opts.terminal !== undefined ? { terminal: opts.terminal } : {}),
  });
  return result.exitCode;
}
