import { resolve } from 'node:path';
import type { Project, ServiceConfig, WatchRule } from '../../model/project.js';
import { compilePathFilter, readContextIgnore, relativeInside, type PathFilter } from '../../watch/path-filter.js';
import { LifecycleError } from '../lifecycle/common.js';

/** One rule of one service, with the filter that decides which paths it sees. */
export interface RuleTarget {
  service: string;
  /** Position of the rule in `develop.watch` (stable ordering of execs). */
  index: number;
  rule: WatchRule;
  filter: PathFilter;
}

export interface WatchTargets {
  rules: RuleTarget[];
  /** Services with at least one active rule, sorted. */
  services: string[];
  /** Messages to show once (bind-mount overlaps). */
  warnings: string[];
}

export const NO_WATCH_MESSAGE = "none of the selected services is configured for watch, consider setting a 'develop' section";

function isSync(rule: WatchRule): boolean {
  return rule.action === 'sync' || rule.action === 'sync+restart' || rule.action === 'sync+exec';
}

/** The bind mount whose host source contains `path`, if any: files there reach the container without berth. */
function bindOverlap(service: ServiceConfig, path: string): string | undefined {
  for (const v of service.volumes ?? []) {
    if (v.type !== 'bind' || v.source === undefined) continue;
    if (relativeInside(resolve(v.source), path) !== undefined) return v.source;
  }
  return undefined;
}

/**
 * The watch rules of the selected services (all services when none are named), validated as
 * docker compose does, each with its path filter (the build context's ignore file, the rule's
 * ignore/include, editor files, `.git`).
 */
export async function watchTargets(project: Project, selected: readonly string[]): Promise<WatchTargets> {
  const names = (selected.length > 0 ? [...selected] : Object.keys(project.services)).sort();
  const rules: RuleTarget[] = [];
  const warnings: string[] = [];
  for (const name of names) {
    const service = project.services[name];
    const watch = service?.develop?.watch;
    if (service === undefined || watch === undefined || watch.length === 0) continue;
    const build = service.build;
    const contextPatterns = build === undefined ? undefined : await readContextIgnore(build.context, build.dockerfile_inline === undefined ? (build.dockerfile ?? 'Dockerfile') : undefined);
    for (const [index, rule] of watch.entries()) {
      if (rule.action === 'rebuild' && build === undefined) throw new LifecycleError(`can't watch service "${name}" with action rebuild without a build context`);
      const path = resolve(rule.path);
      if (isSync(rule) && bindOverlap(service, path) !== undefined) {
        warnings.push(`path '${rule.path}' also declared by a bind mount volume, this path won't be monitored!`);
        continue;
      }
      const filter = compilePathFilter({
        root: path,
        ignore: rule.ignore ?? [],
        include: rule.include ?? [],
        ...(build !== undefined && contextPatterns !== undefined ? { context: { dir: build.context, patterns: contextPatterns } } : {}),
      });
      rules.push({ service: name, index, rule, filter });
    }
  }
  const services = [...new Set(rules.map((r) => r.service))].sort();
  if (services.length === 0 && warnings.length === 0) throw new LifecycleError(NO_WATCH_MESSAGE);
  return { rules, services, warnings };
}
