import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocument } from './openapi-document';

/** The console's typed API client: types generated from the API's OpenAPI document, used by web/src/api/client.ts. */
export const CONSOLE_SCHEMA_PATH = join(__dirname, '..', '..', 'web', 'src', 'api', 'schema.d.ts');

const HEADER = `/**
 * Generated from the API's OpenAPI document by scripts/console-client.ts (run by \`npm run build\`).
 * Do not edit: change the API's declarations and build again.
 */
`;

/** The text of web/src/api/schema.d.ts for the API as declared now. */
export async function consoleSchemaText(): Promise<string> {
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const doc = await openApiDocument();
  const ast = await openapiTS(doc as never, { alphabetize: true });
  return HEADER + astToString(ast);
}

/**
 * Writes the schema, or with `check` (and whenever CI=true) only compares it: a committed
 * client that differs from the API's document fails the build, naming the file to regenerate.
 */
export async function main(args: string[]): Promise<number> {
  const check = args.includes('--check') || process.env.CI === 'true';
  const at = args.indexOf('--against');
  const against = at >= 0 && args[at + 1] ? args[at + 1] : CONSOLE_SCHEMA_PATH;
  const text = await consoleSchemaText();
  let committed = '';
  try {
    committed = readFileSync(against, 'utf8');
  } catch {
    committed = '';
  }
  if (committed === text) return 0;
  if (check) {
    console.error(
      `The console's API client (${against}) differs from the API's OpenAPI document: run \`npm run build\` and commit web/src/api/schema.d.ts.`,
    );
    return 1;
  }
  writeFileSync(against, text);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
