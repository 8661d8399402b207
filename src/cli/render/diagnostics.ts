import kleur from 'kleur';
import type { Diagnostic } from '../../errors/diagnostic.js';
import { formatDiagnostic } from '../../errors/diagnostic.js';

/** `error: compose.yaml:12:7: services.web.privileged: must be a boolean`, one per line. */
export function renderDiagnostics(list: readonly Diagnostic[], cwd: string, color: boolean): string {
  kleur.enabled = color;
  let out = '';
  for (const d of list) {
    const label = d.severity === 'error' ? kleur.red().bold('error') : kleur.yellow('warning');
    const text = formatDiagnostic(d, cwd);
    const [first, ...rest] = text.split('\n');
    out += `${label}: ${first}\n`;
    for (const line of rest) out += `  ${line}\n`;
  }
  return out;
}

/** The JSON form of a failed command (`--format json`). */
export function diagnosticsJson(list: readonly Diagnostic[]): string {
  return JSON.stringify({ ok: false, diagnostics: list }, null, 2) + '\n';
}
