/**
 * `npm run bench -- console-bundle`
 *
 * The console's first-load JavaScript (web/dist, built by `npm run build`, which `npm run
 * bench` runs first), gzipped: the files index.html loads at once and their static imports
 * (see console-bundle.ts). Prints each file, then the JSON line
 * `{"bench":"console-bundle","firstLoadJsGzipKb":...}`; exits 1 past the budget of issue 12
 * (350 kB gzipped), after the line.
 */
import { consoleDir } from '../src/common/http/console-static';
import { FIRST_LOAD_JS_BUDGET_GZIP_KB, firstLoadJs } from './console-bundle';
import { finalJsonLine } from './harness';

export async function run(_argv: string[]): Promise<void> {
  const js = firstLoadJs(consoleDir());
  for (const f of js.files) console.log(`${f.path}: ${f.bytes} bytes, ${f.gzipBytes} gzipped`);
  const withinBudget = js.gzipKb <= FIRST_LOAD_JS_BUDGET_GZIP_KB;
  finalJsonLine({
    bench: 'console-bundle',
    firstLoadJsGzipKb: js.gzipKb,
    firstLoadJsKb: Math.round(js.bytes / 100) / 10,
    files: js.files.length,
    budgetGzipKb: FIRST_LOAD_JS_BUDGET_GZIP_KB,
    withinBudget,
  });
  if (!withinBudget) {
    console.error(`the console's first-load JavaScript is ${js.gzipKb} kB gzipped, over the budget of ${FIRST_LOAD_JS_BUDGET_GZIP_KB} kB`);
    process.exitCode = 1;
  }
}
