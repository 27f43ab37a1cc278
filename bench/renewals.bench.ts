/**
 * `npm run bench -- renewals [--cards N] [--due N]`
 *
 * 1. creates a fresh database `cps_bench_renewals` (migrated by the CLI itself);
 * 2. generates, in SQL, a registry of N professionals (one profession, one site each)
 *    and N cards, of which `--due` (30,000) are due for renewal as of 2026-11-26, plus
 *    2,000 that look due but were opposed for loss (never renewed) and the rest valid
 *    for years;
 * 3. measures `renewals:run --as-of 2026-11-26 --json` (wall time, peak RSS of the CLI),
 *    then the same again (the second run creates nothing);
 * 4. prints a summary, then one final JSON line.
 */

import * as path from 'node:path';
import { Client } from 'pg';
import { dropDatabase, withDatabase } from '../src/common/database/database-url';
import { generateRenewalBase } from './generators/renewal-base-generator';
import { BenchFailure, finalJsonLine, parseFlags, printMachine, round, spawnMeasured } from './harness';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/cps';
const BENCH_DB = 'cps_bench_renewals';
const AS_OF = '2026-11-26';

interface RenewalResult {
  cardsDue: number;
  ordersCreated: number;
  alreadyOpen: number;
}

export async function run(argv: string[]): Promise<void> {
  const { flags } = parseFlags(argv);
  const cards = Number(flags.get('cards') ?? 1_000_000);
  const due = Number(flags.get('due') ?? 30_000);
  const lostLookingDue = 2_000;
  if (!(cards > due + lostLookingDue)) throw new BenchFailure('--cards must exceed --due + 2000');
  const url = withDatabase(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, BENCH_DB);
  const root = path.join(__dirname, '..', '..');
  const cli = path.join(root, 'dist', 'src', 'cli.js');
  const env = { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', QUEUE_PREFIX: 'cps-bench' };

  await dropDatabase(url);
  const migrate = await spawnMeasured(process.execPath, [cli, 'audit:verify', '--json'], env, { cwd: root });
  if (migrate.code !== 0) throw new BenchFailure(`could not create the bench database:\n${migrate.stderr}`);

  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    await printMachine(pg);
    console.log(`generating ${cards.toLocaleString('en')} professionals and cards (${due.toLocaleString('en')} due) in ${BENCH_DB}`);
    const t0 = Date.now();
    await generateRenewalBase(pg, { cards, due, lostLookingDue, asOf: AS_OF });
    await pg.query('ANALYZE');
    const generateSeconds = round((Date.now() - t0) / 1000, 1);
    console.log(`  generated in ${generateSeconds} s`);

    const first = await spawnMeasured(process.execPath, [cli, 'renewals:run', '--as-of', AS_OF, '--json'], env, { cwd: root });
    if (first.code !== 0) throw new BenchFailure(`renewals:run failed:\n${first.stderr}`);
    const r1 = JSON.parse(first.stdout) as RenewalResult;
    const second = await spawnMeasured(process.execPath, [cli, 'renewals:run', '--as-of', AS_OF, '--json'], env, { cwd: root });
    if (second.code !== 0) throw new BenchFailure(`second renewals:run failed:\n${second.stderr}`);
    const r2 = JSON.parse(second.stdout) as RenewalResult;
    const dueExpected = due;

    console.log(`\nrenewal sweep, ${cards.toLocaleString('en')} cards, ${due.toLocaleString('en')} due as of ${AS_OF}`);
    console.log(
      `  first run : ${round(first.seconds, 2)} s, peak RSS ${first.peakRssMb} MiB, ${r1.cardsDue} due, ${r1.ordersCreated} orders created`,
    );
    console.log(
      `  second run: ${round(second.seconds, 2)} s, ${r2.cardsDue} due, ${r2.ordersCreated} orders created, ${r2.alreadyOpen} already open`,
    );
    console.log('  (the times include the CLI start-up: Nest, connections, migrations check)');
    if (r1.cardsDue !== dueExpected || r1.ordersCreated !== dueExpected || r2.ordersCreated !== 0) {
      throw new BenchFailure(`unexpected counts: first ${JSON.stringify(r1)}, second ${JSON.stringify(r2)} (expected ${dueExpected} due)`);
    }
    finalJsonLine({
      bench: 'renewals',
      cards,
      due,
      sweepSeconds: round(first.seconds, 2),
      sweepPeakRssMb: first.peakRssMb,
      ordersCreated: r1.ordersCreated,
      secondRunSeconds: round(second.seconds, 2),
      secondRunOrdersCreated: r2.ordersCreated,
      generateSeconds,
      targets: { sweepSeconds: 10, sweepPeakRssMb: 400, secondRunSeconds: 2 },
    });
  } finally {
    await pg.end();
  }
}
