import { DependencyGraph } from '../graph/dependency-graph.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import type { VariableInfo } from '../loader/interpolate.js';
import { loadProject } from '../loader/load-project.js';
import type { LoadOptions } from '../loader/types.js';
import { serviceConfigHash } from '../model/config-hash.js';
import type { Project } from '../model/project.js';
import { canonicalView } from './canonical.js';
import { toJson } from './config-json-writer.js';
import { toYaml } from './yaml-writer.js';

export type ConfigView =
  | { kind: 'model' }
  | { kind: 'quiet' }
  | { kind: 'services' }
  | { kind: 'volumes' }
  | { kind: 'networks' }
  | { kind: 'images' }
  | { kind: 'profiles' }
  | { kind: 'models' }
  | { kind: 'variables' }
  | { kind: 'environment' }
  | { kind: 'hash'; service: string };

export interface ConfigRequest {
  load: LoadOptions;
  /** Services named on the command line (with their dependencies). */
  services: string[];
  view: ConfigView;
  format: 'yaml' | 'json';
}

export type ConfigResult =
  | { ok: true; text: string; project: Project; diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

/** Keeps only the named services and what they depend on. */
export function selectServices(project: Project, names: readonly string[]): Project {
  if (names.length === 0) return project;
  const keep = new Set<string>(DependencyGraph.fromServices(project.services).withDependencies(names));
  const services: Project['services'] = {};
  for (const name of Object.keys(project.services).sort()) {
    if (keep.has(name)) services[name] = project.services[name]!;
  }
  return { ...project, services };
}

function lines(items: Iterable<string>): string {
  const list = [...items];
  return list.length === 0 ? '' : list.join('\n') + '\n';
}

function imageOf(project: Project, service: string): string {
  return project.services[service]?.image ?? `${project.name}-${service}`;
}

function variablesText(vars: VariableInfo[], format: 'yaml' | 'json'): string {
  if (format === 'json') {
    const out: Record<string, unknown> = {};
    for (const v of vars) {
      out[v.name] = { Name: v.name, DefaultValue: v.defaultValue ?? '', PresenceValue: v.presenceValue ?? '', Required: v.required };
    }
    return JSON.stringify(out, null, 2) + '\n';
  }
  const rows = [['NAME', 'REQUIRED', 'DEFAULT VALUE', 'ALTERNATE VALUE']];
  for (const v of vars) rows.push([v.name, v.required ? 'true' : 'false', v.defaultValue ?? '', v.presenceValue ?? '']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return lines(rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd()));
}

/** Renders the view of the project that `config` was asked for. */
export function renderConfig(project: Project, view: ConfigView, format: 'yaml' | 'json', variables: VariableInfo[]): string {
  const serviceNames = Object.keys(project.services).sort();
  switch (view.kind) {
    case 'model': {
      // Written from the project itself: no reordered copy to build and collect.
      const canonical = canonicalView(project);
      return format === 'json' ? toJson(canonical.value, canonical.layout) : toYaml(canonical.value, canonical.layout);
    }
    case 'quiet':
      return '';
    case 'services':
      return lines(serviceNames);
    case 'volumes':
      return lines(Object.keys(project.volumes).sort());
    case 'networks':
      return lines(Object.keys(project.networks).sort());
    case 'models':
      return lines(Object.keys(project.models).sort());
    case 'images':
      return lines(serviceNames.map((s) => imageOf(project, s)));
    case 'profiles': {
      const all = new Set<string>();
      for (const svc of [...Object.values(project.services), ...Object.values(project.disabledServices)]) {
        for (const p of svc.profiles ?? []) all.add(p);
      }
      return lines([...all].sort());
    }
    case 'variables':
      return variablesText(variables, format);
    case 'environment':
      return lines(
        Object.keys(project.environment)
          .sort()
          .map((k) => `${k}=${project.environment[k]}`),
      );
    case 'hash': {
      const wanted = view.service === '*' ? serviceNames : view.service.split(',').map((s) => s.trim());
      return lines(wanted.filter((s) => project.services[s] !== undefined).map((s) => `${s} ${serviceConfigHash(project.services[s]!)}`));
    }
  }
}

/** `berth config`: load, validate and render the project. */
export async function config(req: ConfigRequest): Promise<ConfigResult> {
  const hashNames = req.view.kind === 'hash' && req.view.service !== '*' ? req.view.service.split(',').map((s) => s.trim()) : [];
  const selected = [...req.services, ...hashNames];
  const result = await loadProject({
    ...req.load,
    services: selected,
    collectVariables: req.view.kind === 'variables',
  });
  if (result.project === undefined) return { ok: false, diagnostics: result.diagnostics };
  const project = selectServices(result.project, req.services);
  return {
    ok: true,
    text: renderConfig(project, req.view, req.format, result.variables),
    project,
    diagnostics: result.diagnostics,
  };
}
