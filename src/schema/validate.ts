import type { DiagnosticBag } from '../errors/diagnostic.js';
import type { RawMap } from '../loader/raw.js';

/**
 * Validates a merged raw model against berth's JSON Schema for the Compose format
 * (`schema/compose.schema.json`), reporting each problem at its YAML node.
 */
export function validateModel(_model: RawMap, _diags: DiagnosticBag): void {
  throw new Error('not implemented: validateModel');
}
