/**
 * `node -r ./test/support/require-ts.js file.ts`: runs the project's TypeScript sources in a
 * plain Node process, each file transpiled on load with the compiler options of tsconfig.json
 * (no type check: `npx tsc` does that). For a test that needs Node's own module loader rather
 * than jest's: jest (before Node 24.9) cannot require the ES-module-only packages that Node 20
 * requires natively (openapi-typescript's, in scripts/console-client.spec.ts).
 */
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const ts = require('typescript');

const root = join(__dirname, '..', '..');
const configFile = join(root, 'tsconfig.json');
const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
const { options } = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configFile));
const compilerOptions = { ...options, sourceMap: false, inlineSourceMap: true, declaration: false };

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
