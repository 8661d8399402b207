import { existsSync, readFileSync } from 'node:fs';
import type { ComposeValidateFunction } from './generated/validate-compose.js';

export type { ComposeValidateFunction };

/** Where the validator came from: compiled at build time, or compiled now from the schema. */
export type ValidatorKind = 'generated' | 'runtime';

/** Must stay equal to the options used by schema/build-validator.mjs. */
const AJV_OPTIONS = { allErrors: true, strict: false, verbose: true, inlineRefs: false } as const;

/** Compiles `schema/compose.schema.json` with ajv now. */
export async function compileComposeSchema(): Promise<ComposeValidateFunction> {
  const ajvModule = await import('ajv');
  // ajv is CommonJS: the default import is `module.exports`, whose `default` is the class.
  const Ajv = ajvModule.default.default;
  const schema: unknown = JSON.parse(readFileSync(schemaFileUrl(), 'utf8'));
  const ajv = new Ajv(AJV_OPTIONS);
  return ajv.compile(schema as object);
}

function schemaFileUrl(): URL {
  // dist/src/schema/ is three levels below the package root; src/schema/ (sources run directly) two.
  const candidates = [
    new URL('../../../schema/compose.schema.json', import.meta.url),
    new URL('../../schema/compose.schema.json', import.meta.url),
  ];
  const found = candidates.find((url) => existsSync(url));
  if (found === undefined) throw new Error('berth: schema/compose.schema.json not found beside the package');
  return found;
}
