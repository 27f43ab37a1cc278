/**
 * `npm run bench -- rpps [--persons N] [--seed S] [--change-rate R] [--layout 52|56] [--generate-only]`
 *
 * 1. generates (or reuses) a national-size registry extract, day 1 and the next day,
 *    into BENCH_DIR (default ./var/bench), named by layout, size and seed;
 * 2. creates a fresh database `cps_bench` on the server of DATABASE_URL;
 * 3. measures `rpps:import <day1> --json` (baseline) then `rpps:import <day2> --json`
 *    (with wall time and peak RSS of the CLI process);
 * 4. measures the floor: psql `\copy` of the raw day-1 lines into an unlogged
 *    one-column table;
 * 5. prints a summary, then one final JSON line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { generateRegistryNextDay, type NextDayStats, type RegistryDay1Stats, type RegistryEventCounts } from './generators/rpps-generator';
import { BenchFailure, finalJsonLine, type MeasuredRun, parseFlags, printMachine, round, spawnMeasured } from './harness';
import { DEFAULT_PERSONS, DEFAULT_SEED, day1Extract, exists, readMeta } from './rpps-dataset';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/cps';
const BENCH_DB = 'cps_bench';
const DAY2_STAMP = '202601060600';

/** What `rpps:import --json` prints (docs/contract). */
interface ImportResult {
  importId: string | number;
  status: string;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rejects: Array<{ line: number; reason: string }>;
  events: Partial<RegistryEventCounts>;
}

interface Dataset {
  day1: RegistryDay1Stats;
  day2: NextDayStats;
  day1Files: string[];
  day2Files: string[];
  generatedSeconds: { day1: number | null; day2: number | null };
}

function numFlag(v: string | true | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v === true || !Number.isFinite(n)) throw new BenchFailure(`--${name} needs a number`);
  return n;
}

async function prepareData(opts: { dir: string; persons: number; seed: number; layout: 52 | 56; changeRate: number }): Promise<Dataset> {
  const withSf = opts.layout === 56;
  const d1 = await day1Extract({
    ...opts,
    // the next day is derived from day 1: a new day 1 makes it stale
    onRegenerate: (setDir) => fs.rmSync(path.join(setDir, `next-c${opts.changeRate}`, 'day2.meta.json'), { force: true }),
  });
  const nextDir = path.join(d1.setDir, `next-c${opts.changeRate}`);
  fs.mkdirSync(nextDir, { recursive: true });
  const d2 = path.join(nextDir, `PS_LibreAcces_Personne_activite_${DAY2_STAMP}.txt`);
  const d2sf = path.join(nextDir, `PS_LibreAcces_SavoirFaire_${DAY2_STAMP}.txt`);
  const d2meta = path.join(nextDir, 'day2.meta.json');
  const generatedSeconds: Dataset['generatedSeconds'] = { day1: d1.generatedSeconds, day2: null };

  let day2 = readMeta<NextDayStats>(d2meta);
  const day2Ok =
    day2 !== null &&
    day2.seed === opts.seed + 1 &&
    day2.changeRate === opts.changeRate &&
    exists(d2) &&
    fs.statSync(d2).size === day2.bytes &&
    (!withSf || exists(d2sf));
  if (!day2Ok) {
    fs.rmSync(d2meta, { force: true });
    console.log(`generating the next day: change rate ${opts.changeRate} → ${d2}`);
    const s = await generateRegistryNextDay({
      day1: d1.files[0],
      seed: opts.seed + 1,
      changeRate: opts.changeRate,
      layout: opts.layout,
      out: `${d2}.tmp`,
      savoirFaireOut: withSf ? `${d2sf}.tmp` : undefined,
      expectedOut: path.join(nextDir, `PS_LibreAcces_Personne_activite_${DAY2_STAMP}.txt.expected.json`),
    });
    fs.renameSync(`${d2}.tmp`, d2);
    if (withSf) fs.renameSync(`${d2sf}.tmp`, d2sf);
    day2 = { ...s, out: d2, savoirFaireOut: withSf ? d2sf : undefined };
    fs.writeFileSync(d2meta, JSON.stringify(day2, null, 1));
    generatedSeconds.day2 = s.seconds;
    console.log(
      `  ${s.lines} lines in ${s.seconds.toFixed(1)}s: ${s.ceased} ceased, ${s.added} new, ` +
        `${s.siteChanged} site changes, ${s.identityChanged} name changes`,
    );
  } else {
    console.log(`reusing the next day: ${d2} (${day2!.lines} lines)`);
  }

  return {
    day1: d1.stats,
    day2: day2!,
    day1Files: d1.files,
    day2Files: withSf ? [d2, d2sf] : [d2],
    generatedSeconds,
  };
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function connect(url: string): Promise<Client> {
  const c = new Client({ connectionString: url });
  await c.connect();
  return c;
}

/** A connection to the server of `url` that can drop and create databases. */
async function adminClient(url: string): Promise<Client> {
  try {
    return await connect(withDatabase(url, 'postgres'));
  } catch {
    return connect(url);
  }
}

function tail(s: string, max = 8000): string {
  return s.length > max ? `…${s.slice(s.length - max)}` : s;
}

function failStep(step: string, run: MeasuredRun): never {
  throw new BenchFailure(
    `${step} failed (exit ${run.code ?? run.signal}) after ${run.seconds.toFixed(1)}s\n` +
      `--- stderr ---\n${tail(run.stderr)}\n--- stdout ---\n${tail(run.stdout, 2000)}`,
  );
}

function parseImportJson(step: string, run: MeasuredRun): ImportResult {
  const text = run.stdout.trim();
  const candidates = [
    text,
    ...text
      .split('\n')
      .reverse()
      .filter((l) => l.trim().startsWith('{')),
  ];
  for (const c of candidates) {
    try {
      const v = JSON.parse(c) as ImportResult;
      if (v && typeof v === 'object' && 'status' in v) return v;
    } catch {
      // try the next candidate
    }
  }
  throw new BenchFailure(
    `${step}: no JSON result on stdout\n--- stdout ---\n${tail(run.stdout, 2000)}\n--- stderr ---\n${tail(run.stderr)}`,
  );
}

async function runImport(
  step: string,
  cli: string,
  files: string[],
  databaseUrl: string,
): Promise<{ run: MeasuredRun; result: ImportResult }> {
  console.log(`${step}: rpps:import ${files.map((f) => path.basename(f)).join(' ')}`);
  const run = await spawnMeasured(process.execPath, [cli, 'rpps:import', ...files, '--json'], {
    ...process.env,
    DATABASE_URL: databaseUrl,
  });
  if (run.code !== 0) failStep(step, run);
  const result = parseImportJson(step, run);
  console.log(
    `  ${run.seconds.toFixed(1)}s, peak RSS ${run.peakRssMb} MiB, status ${result.status}, ` +
      `${result.rowsRead} read, ${result.rowsAccepted} accepted, ${result.rowsRejected} rejected`,
  );
  return { run, result };
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export async function run(argv: string[]): Promise<void> {
  const { flags } = parseFlags(argv);
  const persons = numFlag(flags.get('persons'), 'persons', DEFAULT_PERSONS);
  const seed = numFlag(flags.get('seed'), 'seed', DEFAULT_SEED);
  const changeRate = numFlag(flags.get('change-rate'), 'change-rate', 0.01);
  const layout = numFlag(flags.get('layout'), 'layout', 52);
  if (layout !== 52 && layout !== 56) throw new BenchFailure('--layout must be 52 or 56');
  if (!Number.isInteger(persons) || persons < 1) throw new BenchFailure('--persons must be a positive integer');
  const generateOnly = flags.has('generate-only');
  const benchDir = path.resolve(
    typeof flags.get('dir') === 'string' ? (flags.get('dir') as string) : (process.env.BENCH_DIR ?? './var/bench'),
  );
  const baseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const benchUrl = withDatabase(baseUrl, BENCH_DB);
  const cli = path.resolve(process.env.BENCH_CLI ?? path.join(__dirname, '..', 'src', 'cli.js'));

  let admin: Client | null = null;
  if (!generateOnly) {
    try {
      admin = await adminClient(baseUrl);
    } catch (e) {
      throw new BenchFailure(`cannot reach PostgreSQL at ${new URL(baseUrl).host}: ${(e as Error).message}`);
    }
  }
  try {
    const machine = await printMachine(admin ?? undefined);
    const data = await prepareData({ dir: benchDir, persons, seed, layout, changeRate });
    const expectedChanges = {
      ceased: data.day2.ceased,
      added: data.day2.added,
      siteChanged: data.day2.siteChanged,
      identityChanged: data.day2.identityChanged,
      expectedEvents: data.day2.expectedEvents,
    };
    const common = {
      bench: 'rpps',
      layout,
      seed,
      changeRate,
      lines: data.day1.lines,
      persons: data.day1.persons,
      day1Bytes: data.day1.bytes,
      nextDayLines: data.day2.lines,
      generatorSeconds: data.generatedSeconds,
    };
    if (generateOnly || admin === null) {
      finalJsonLine({ ...common, machine, expectedChanges });
      return;
    }
    if (!exists(cli)) throw new BenchFailure(`${cli} not found: build the project first (npm run build)`);

    await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${BENCH_DB}`);
    console.log(`database ${BENCH_DB} created on ${new URL(baseUrl).host}`);

    const baseline = await runImport('baseline import (day 1)', cli, data.day1Files, benchUrl);
    if (baseline.result.status !== 'baseline') console.log(`  warning: status "${baseline.result.status}", expected "baseline"`);
    const nextDay = await runImport('next-day import (day 2)', cli, data.day2Files, benchUrl);
    if (nextDay.result.status !== 'applied') console.log(`  warning: status "${nextDay.result.status}", expected "applied"`);

    // The floor: the same bytes through psql's \copy into one text column, one value per line.
    const db = await connect(benchUrl);
    let floorRows: number;
    let floor: MeasuredRun;
    try {
      await db.query('DROP TABLE IF EXISTS bench_floor');
      await db.query('CREATE UNLOGGED TABLE bench_floor(line text)');
      const copy = `\\copy bench_floor(line) from ${sqlString(data.day1Files[0])} with (format csv, delimiter E'\\x01', quote E'\\x02')`;
      console.log('floor: psql \\copy of the day-1 file into an unlogged one-column table');
      floor = await spawnMeasured('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', benchUrl, '-c', copy], process.env);
      if (floor.code !== 0) failStep('floor \\copy', floor);
      const r = await db.query('SELECT count(*)::bigint AS n FROM bench_floor');
      floorRows = Number(r.rows[0].n);
      await db.query('DROP TABLE bench_floor');
    } finally {
      await db.end();
    }
    if (floorRows !== data.day1.lines + 1) {
      throw new BenchFailure(`floor \\copy loaded ${floorRows} rows, expected ${data.day1.lines + 1} (lines + header)`);
    }
    console.log(`  ${floor.seconds.toFixed(1)}s, ${floorRows} rows`);

    const events = nextDay.result.events ?? {};
    const result = {
      ...common,
      baselineSeconds: round(baseline.run.seconds),
      baselinePeakRssMb: baseline.run.peakRssMb,
      baselineStatus: baseline.result.status,
      baselineRowsRejected: baseline.result.rowsRejected,
      nextDaySeconds: round(nextDay.run.seconds),
      nextDayPeakRssMb: nextDay.run.peakRssMb,
      nextDayStatus: nextDay.result.status,
      nextDayRowsRejected: nextDay.result.rowsRejected,
      floorCopySeconds: round(floor.seconds),
      baselineToFloorRatio: round(baseline.run.seconds / floor.seconds),
      nextDayToFloorRatio: round(nextDay.run.seconds / floor.seconds),
      nextDayEvents: events,
      expectedChanges,
      eventsMatchExpected: (Object.keys(expectedChanges.expectedEvents) as Array<keyof RegistryEventCounts>).every(
        (k) => (events[k] ?? 0) === expectedChanges.expectedEvents[k],
      ),
      machine,
    };

    console.log('');
    console.log(`rpps import, ${data.day1.persons} persons / ${data.day1.lines} lines (layout ${layout})`);
    console.log(
      `  baseline : ${result.baselineSeconds}s, peak RSS ${result.baselinePeakRssMb} MiB, ${result.baselineToFloorRatio}× the floor`,
    );
    console.log(
      `  next day : ${result.nextDaySeconds}s, peak RSS ${result.nextDayPeakRssMb} MiB, ${result.nextDayToFloorRatio}× the floor`,
    );
    console.log(`  floor    : ${result.floorCopySeconds}s (psql \\copy of the raw lines)`);
    console.log(`  events   : ${JSON.stringify(events)}`);
    console.log(`  expected : ${JSON.stringify(expectedChanges.expectedEvents)} (${result.eventsMatchExpected ? 'match' : 'MISMATCH'})`);
    finalJsonLine(result);
  } finally {
    if (admin) await admin.end();
  }
}
