import { UsageError } from '../errors/diagnostic.js';
import type { NamedProjectContext } from './context.js';
import { serviceContainer } from './inspect/service-container.js';

export interface PortOptions {
  service: string;
  privatePort: number;
  protocol: string;
  index?: number;
}

/** `port`: the host address a container port is published on. */
export async function port(ctx: NamedProjectContext, opts: PortOptions): Promise<{ hostIp: string; hostPort: number }> {
  const c = await serviceContainer(ctx.engine, ctx.projectName, opts.service, { running: false, ...(opts.index === undefined ? {} : { index: opts.index }) });
  const found = c.ports
    .filter((p) => p.containerPort === opts.privatePort && p.protocol === opts.protocol && p.hostPort > 0)
    .sort((a, b) => (a.hostIp.includes(':') ? 1 : 0) - (b.hostIp.includes(':') ? 1 : 0))[0];
  if (found === undefined) throw new UsageError(`no port ${opts.privatePort}/${opts.protocol} for container ${c.name}`);
  return { hostIp: found.hostIp === '' ? '0.0.0.0' : found.hostIp, hostPort: found.hostPort };
}
