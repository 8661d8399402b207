import type { DiagnosticBag } from '../errors/diagnostic.js';
import type { RawMap } from '../loader/raw.js';
import { locate } from '../loader/raw.js';
import type { ValidatorKind } from './load-validator.js';
import { loadComposeValidator } from './load-validator.js';
import { schemaIssues } from './schema-messages.js';

const loaded = await loadComposeValidator();

/** `generated` in a built tree; `runtime` when the schema had to be compiled at startup. */
export const composeValidatorKind: ValidatorKind = loaded.kind;

/**
 * Validates a merged raw model against berth's JSON Schema for the Compose format
 * (`schema/compose.schema.json`), reporting each problem at its YAML node.
 */
export function validateModel(model: RawMap, diags: DiagnosticBag): void {
  const validate = loaded.validate;
  if (validate(model)) return;
  for (const issue of schemaIssues(validate.errors ?? [], model)) {
    diags.error('schema', issue.message, locate(model, issue.path, issue.forKey), issue.path);
  }
}
