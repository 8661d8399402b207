// Typing of the module that scripts/build-schema.mjs generates into dist/src/schema/generated/.
import type { ErrorObject } from 'ajv';

export interface ComposeValidateFunction {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export declare const validate: ComposeValidateFunction;
