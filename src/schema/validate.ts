import type { DiagnosticBag } from '../errors/diagnostic.js';
import type { RawMap } from '../loader/raw.js';
import { locate } from '../loader/raw.js';
import { validate as generatedValidate } from './generated/validate-compose.js';
import type { ValidatorKind } from './load-validator.js';
import { schemaIssues } from './schema-messages.js';

// The build (schema/build-validator.mjs, run by `npm run build` before tsc) generates the
// validator, so loading a project never compiles the schema. A static import keeps this module
// free of top-level await, which the single-file build (bin/build-bundle.mjs) cannot carry.
const loaded = { kind: 'generated' as ValidatorKind, validate: generatedValidate };

/** How the validator in use was made (always `generated` in a built tree). */
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
