import type { ProjectContext } from './context.js';
import { planProject, type UpOptions } from './up.js';

/** `berth plan` / `up --dry-run`: the plan as stable text; nothing changes. */
export async function plan(ctx: ProjectContext, opts: UpOptions): Promise<string> {
  return (await planProject(ctx, { ...opts, dryRun: true })).toString();
}
