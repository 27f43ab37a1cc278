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
    await pg.query(`SET maintenance_work_mem = '512MB'`);
    await pg.query(
      `INSERT INTO rpps_import (id, status, actor, as_of) VALUES ('00000000-0000-0000-0000-000000000001', 'baseline', 'bench', '2026-11-25')`,
    );
    await pg.query(
      `INSERT INTO rpps_professional (national_id, id_type, identifier, civility_code, last_name, first_name, situations_digest,
                                      professions_digest, first_import_id, last_import_id)
       SELECT '8' || lpad(i::text, 11, '0'), '8', lpad(i::text, 11, '0'), 'M', 'NOM' || (i % 5000), 'PRENOM' || (i % 300),
              '0:1', '0:1', '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000001'
         FROM generate_series(1, $1) i`,
      [cards],
    );
    await pg.query(
      `INSERT INTO rpps_profession (national_id, profession_code, category_code)
       SELECT '8' || lpad(i::text, 11, '0'), (ARRAY['10','21','40','50','60','70'])[1 + i % 6], 'C' FROM generate_series(1, $1) i`,
      [cards],
    );
    await pg.query(
      `INSERT INTO rpps_situation (national_id, profession_code, situation_hash, mode_code, sector_code, siret, structure_id,
                                   site_name, street_number, street_label, postal_code, city, source_line, raw_line)
       SELECT '8' || lpad(i::text, 11, '0'), (ARRAY['10','21','40','50','60','70'])[1 + i % 6], '0', 'L', 'SA07',
              '300000000' || lpad((i % 100000)::text, 5, '0'), 'S300000000' || lpad((i % 100000)::text, 5, '0'),
              'CABINET ' || (i % 1000), (i % 300)::text, 'RUE DE LA PAIX', '75011', 'PARIS', i + 1, 'raw line ' || i
         FROM generate_series(1, $1) i`,
      [cards],
    );
    // Cards: the first `due` end within the window (some already expired), the next 2,000 too but
    // were opposed for loss, the rest end years later.
    await pg.query(
      `INSERT INTO card (card_number, card_type, generation, national_id, national_id_in_card, profession_code, valid_from,
                         valid_until, state, source, opposed_at, opposition_reason)
       SELECT lpad((2900000000 + i)::text, 10, '0'), 'CPS', 'CPS3', '8' || lpad(i::text, 11, '0'), '8' || lpad(i::text, 11, '0'),
              (ARRAY['10','21','40','50','60','70'])[1 + i % 6],
              vu - interval '3 years' + interval '1 day', vu,
              CASE WHEN i > $2::int AND i <= $2::int + $3::int THEN 'opposed' ELSE 'active' END, 'import',
              CASE WHEN i > $2::int AND i <= $2::int + $3::int THEN now() END,
              CASE WHEN i > $2::int AND i <= $2::int + $3::int THEN 'loss' END
         FROM generate_series(1, $1) i,
              LATERAL (SELECT CASE WHEN i <= $2::int + $3::int THEN date '${AS_OF}' + (i % 120) - 30
                                   ELSE date '${AS_OF}' + 200 + (i % 900) END AS vu) d`,
      [cards, due, lostLookingDue],
    );
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
