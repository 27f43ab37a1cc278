/**
 * Entry point of `npm run bench -- NAME [args...]` (compiled to dist/bench/run.js).
 * Runs the `run(argv)` export of dist/bench/NAME.bench.js; without NAME, or with an
 * unknown one, lists the available benchmarks and exits 2.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const SUFFIX = '.bench.js';

export function availableBenchmarks(dir: string = __dirname): string[] {
  let files: string[];
  try {
    files = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return files
    .filter((f) => f.endsWith(SUFFIX))
    .map((f) => f.slice(0, -SUFFIX.length))
    .sort();
}

function usage(message: string): never {
  const names = availableBenchmarks();
  process.stderr.write(
    `${message}\nusage: npm run bench -- NAME [args...]\navailable: ${names.length > 0 ? names.join(', ') : '(none built)'}\n`,
  );
  process.exit(2);
}

export async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') usage('no benchmark named');
  if (!/^[A-Za-z0-9_-]+$/.test(name) || !availableBenchmarks().includes(name)) usage(`unknown benchmark "${name}"`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(__dirname, name + SUFFIX)) as { run?: (argv: string[]) => Promise<void> };
  if (typeof mod.run !== 'function') usage(`${name}${SUFFIX} exports no run(argv) function`);
  await mod.run(rest);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    () => process.exit(process.exitCode ?? 0),
    (e: unknown) => {
      process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
