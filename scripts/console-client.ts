import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { openApiDocument } from './openapi-document';

/** The project root: the nearest folder above this file with a package.json (from dist/scripts or scripts). */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}

/** The console's typed API client: types generated from the API's OpenAPI document, used by web/src/api/client.ts. */
export const CONSOLE_SCHEMA_PATH = join(projectRoot(), 'web', 'src', 'api', 'schema.d.ts');

/** What a developer runs when the committed client is out of date. */
export const REGENERATE = 'node dist/scripts/console-client.js --write';

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
 * `node dist/scripts/console-client.js [--check | --write] [--against FILE]`: writes the
 * schema (web/src/api/schema.d.ts, or FILE) when it differs from the API's document. Under
 * CI=true, and with `--check`, it only compares: a committed client that differs fails the
 * build (exit 1) with the command that regenerates it. `--write` writes, even under CI=true.
 */
export async function main(args: string[]): Promise<number> {
  const write = args.includes('--write');
  if (write && args.includes('--check')) {
    console.error('console-client: --check and --write exclude each other');
    return 2;
  }
  const check = !write && (args.includes('--check') || process.env.CI === 'true');
  const at = args.indexOf('--against');
  const against = at >= 0 && args[at + 1] ? args[at + 1] : CONSOLE_SCHEMA_PATH;
  const text = await consoleSchemaText();
  let committed: string | null;
  try {
    committed = readFileSync(against, 'utf8');
  } catch {
    committed = null;
  }
  if (committed === text) return 0;
  if (check) {
    const file = relative(process.cwd(), against) || against;
    console.error(
      `The console's API client (${file}) ${committed === null ? 'is missing' : "differs from the API's OpenAPI document"}. ` +
        `Regenerate it with \`${REGENERATE}\` (or \`npm run build\`, outside CI), then commit web/src/api/schema.d.ts.`,
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
