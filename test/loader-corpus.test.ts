import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalProject } from '../src/app/canonical.js';
import { formatDiagnostic } from '../src/errors/diagnostic.js';
import type { Diagnostic } from '../src/errors/diagnostic.js';
import { loadProject } from '../src/loader/load-project.js';
import type { LoadOptions } from '../src/loader/types.js';
import { exactMatch, formatMismatches, partialMatch, substitute } from './helpers/partial-match.js';
import type { Mismatch } from './helpers/partial-match.js';

// Compiled to dist/test/; the fixtures are read from the source tree.
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURE_ROOT = join(REPO_ROOT, 'test', 'fixtures', 'loader');
const MIN_CASES = 120;

interface CaseOptions {
  files?: string[];
  projectName?: string;
  profiles?: string[];
  envFiles?: string[];
  services?: string[];
  projectDirectory?: string;
  cwd?: string;
  interpolate?: boolean;
  normalize?: boolean;
  resolvePaths?: boolean;
  consistency?: boolean;
  resolveEnvironment?: boolean;
}

interface ExpectedDiagnostic {
  file?: string;
  line?: number;
  col?: number;
  path?: string;
  message: string;
}

interface CaseSpec {
  description: string;
  options?: CaseOptions;
  env?: Record<string, string>;
  stdin?: string;
  expect?: unknown;
  exact?: string[];
  errors?: ExpectedDiagnostic[];
  onlyErrors?: boolean;
  warnings?: ExpectedDiagnostic[];
}

function listCases(): string[] {
  if (!existsSync(FIXTURE_ROOT)) return [];
  return readdirSync(FIXTURE_ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(FIXTURE_ROOT, e.name, 'case.json')))
    .map((e) => e.name)
    .sort();
}

function readCase(dir: string): CaseSpec {
  return JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseSpec;
}

function buildOptions(spec: CaseSpec, dir: string): LoadOptions {
  const o = spec.options ?? {};
  const abs = (p: string): string => resolve(dir, p);
  const env: Record<string, string> = { HOME: join(dir, 'home') };
  for (const [k, v] of Object.entries(spec.env ?? {})) env[k] = v.split('${FIXTURE}').join(dir);
  const stdin = spec.stdin;
  return {
    cwd: abs(o.cwd ?? '.'),
    env,
    ...(o.files !== undefined ? { files: o.files.map((f) => (f === '-' ? f : abs(f))) } : {}),
    ...(o.envFiles !== undefined ? { envFiles: o.envFiles.map(abs) } : {}),
    ...(o.projectDirectory !== undefined ? { projectDirectory: abs(o.projectDirectory) } : {}),
    ...(o.projectName !== undefined ? { projectName: o.projectName } : {}),
    ...(o.profiles !== undefined ? { profiles: o.profiles } : {}),
    ...(o.services !== undefined ? { services: o.services } : {}),
    ...(o.interpolate !== undefined ? { interpolate: o.interpolate } : {}),
    ...(o.normalize !== undefined ? { normalize: o.normalize } : {}),
    ...(o.resolvePaths !== undefined ? { resolvePaths: o.resolvePaths } : {}),
    ...(o.consistency !== undefined ? { consistency: o.consistency } : {}),
    ...(o.resolveEnvironment !== undefined ? { resolveEnvironment: o.resolveEnvironment } : {}),
    ...(stdin !== undefined ? { readStdin: () => Promise.resolve(stdin) } : {}),
  };
}

function matchesDiagnostic(exp: ExpectedDiagnostic, d: Diagnostic, dir: string): boolean {
  if (!d.message.includes(exp.message)) return false;
  if (exp.path !== undefined && d.path !== exp.path) return false;
  if (exp.file !== undefined) {
    const want = exp.file === '-' ? '-' : resolve(dir, exp.file);
    if (d.location?.file !== want) return false;
  }
  if (exp.line !== undefined && d.location?.line !== exp.line) return false;
  if (exp.col !== undefined && d.location?.col !== exp.col) return false;
  return true;
}

function describeExpected(exp: ExpectedDiagnostic): string {
  const loc = exp.file !== undefined ? `${exp.file}:${exp.line ?? '?'}:${exp.col ?? '?'}: ` : '';
  const path = exp.path !== undefined ? `${exp.path}: ` : '';
  return `${loc}${path}${exp.message}`;
}

function listDiagnostics(diags: readonly Diagnostic[], dir: string): string {
  if (diags.length === 0) return '  (no diagnostics)';
  return diags.map((d) => `  ${d.severity} [${d.code}] ${formatDiagnostic(d, dir)}`).join('\n');
}

function missingDiagnostics(expected: readonly ExpectedDiagnostic[], actual: readonly Diagnostic[], dir: string): string[] {
  return expected.filter((exp) => !actual.some((d) => matchesDiagnostic(exp, d, dir))).map(describeExpected);
}

async function runCase(name: string): Promise<void> {
  const dir = join(FIXTURE_ROOT, name);
  const spec = readCase(dir);
  const { project, diagnostics } = await loadProject(buildOptions(spec, dir));
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  const problems: string[] = [];

  if (spec.errors !== undefined) {
    const missing = missingDiagnostics(spec.errors, errors, dir);
    if (missing.length > 0) problems.push(`expected errors not reported:\n${missing.map((m) => `  ${m}`).join('\n')}`);
    if (spec.onlyErrors === true && errors.length !== spec.errors.length) {
      problems.push(`expected exactly ${spec.errors.length} error(s), got ${errors.length}`);
    }
  } else if (errors.length > 0) {
    problems.push(`expected no errors, got ${errors.length}`);
  }

  if (spec.warnings !== undefined) {
    const missing = missingDiagnostics(spec.warnings, warnings, dir);
    if (missing.length > 0) problems.push(`expected warnings not reported:\n${missing.map((m) => `  ${m}`).join('\n')}`);
  }

  if (spec.expect !== undefined || spec.exact !== undefined) {
    if (project === undefined) {
      problems.push('expected a project, the loader returned none');
    } else {
      const canonical = canonicalProject(project);
      const expected = substitute(spec.expect ?? {}, dir);
      const mismatches: Mismatch[] = [...partialMatch(expected, canonical)];
      for (const p of spec.exact ?? []) mismatches.push(...exactMatch(expected, canonical, p));
      if (mismatches.length > 0) problems.push(`project mismatch:\n${formatMismatches(mismatches)}`);
    }
  }

  if (problems.length > 0) {
    assert.fail(`${name}: ${spec.description}\n${problems.join('\n')}\ndiagnostics:\n${listDiagnostics(diagnostics, dir)}`);
  }
}

const cases = listCases();

describe('loader conformance corpus', () => {
  it(`has at least ${MIN_CASES} cases`, () => {
    assert.ok(cases.length >= MIN_CASES, `only ${cases.length} cases in ${FIXTURE_ROOT}`);
  });

  for (const name of cases) {
    const spec = readCase(join(FIXTURE_ROOT, name));
    it(`${name}: ${spec.description}`, async () => {
      await runCase(name);
    });
  }
});
