/**
 * `npm run bench -- search [--persons N] [--seed S] [--requests N] [--warmup N] [--concurrency C] [--cards N] [--keep]`
 *
 * The console's search box over HTTP (`GET /api/v1/search`, issue 12):
 * 1. generates (or reuses, under BENCH_DIR) the rpps benchmark's national-size extract
 *    (1.3 million professionals by default, bench/rpps-dataset.ts) and imports it with
 *    `rpps:import` as that benchmark does (the baseline) into a fresh database
 *    `cps_bench_search`, then VACUUM ANALYZE the registry (what autovacuum does after an
 *    import: index-only scans need the visibility map);
 * 2. gives `--cards` professionals (default 50,000) a card, in SQL;
 * 3. starts the built API and makes a helpdesk token;
 * 4. for each kind of query, drawn from professionals picked at random (fixed seed) and typed
 *    as a person would (lower case, no accents): a prefix of the last name of 3, 4 and 6
 *    letters, two words (last name and the start of the first name, or the first name and the
 *    start of the last name, alternately), a national identifier, a card number. First
 *    `--warmup` queries of every kind (default 100 each, not counted), then for each kind
 *    `--requests` (default 1,000) with `--concurrency` requests in flight (default 4); every
 *    answer must be a 200 that finds the professional it was drawn from (a name's first page
 *    need not list them: `total` must not be 0);
 * 5. prints the machine and, per kind, p50/p95/p99/max latency; then one JSON line.
 *
 * Target (issue 12): p95 ≤ 100 ms for prefixes of 3 letters or more (and two words).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from 'pg';
import { dropDatabase, ensureDatabase, withDatabase } from '../src/common/database/database-url';
import { cardNumberFromSequence } from '../src/orders/card-number';
import { foldName } from '../src/rpps/name-key';
import { CLI_ENTRY, ROOT, type RunningApi, startApi } from './api-process';
import { mulberry32 } from './generators/rpps-generator';
import { BenchFailure, finalJsonLine, parseFlags, printMachine, round, spawnMeasured } from './harness';
import { adminClient, connect, createToken, numFlag, tail } from './http-load';
import { DEFAULT_PERSONS, DEFAULT_SEED, day1Extract } from './rpps-dataset';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/cps';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const BENCH_DB = 'cps_bench_search';
const SEARCH_PATH = '/api/v1/search';
const TARGET_P95_MS = 100;

/** The kinds of query measured, in order; `name` is the suffix of their figures in the JSON line. */
const KINDS = [
  { key: '3Letters', label: 'last name, 3 letters', name: true },
  { key: '4Letters', label: 'last name, 4 letters', name: true },
  { key: '6Letters', label: 'last name, 6 letters', name: true },
  { key: 'TwoWords', label: 'two words', name: true },
  { key: 'NationalId', label: 'national identifier', name: false },
  { key: 'CardNumber', label: 'card number', name: false },
] as const;
type KindKey = (typeof KINDS)[number]['key'];

interface Person {
  nationalId: string;
  lastName: string;
  firstName: string;
  cardNumber: string | null;
}

/** The shortest start of `folded` holding `letters` letters (spaces kept: "de saint" gives "de s" for 3). */
function startWithLetters(folded: string, letters: number): string {
  let n = 0;
  let i = 0;
  for (; i < folded.length && n < letters; i++) if (folded[i] !== ' ') n++;
  return folded.slice(0, i);
}

/** The query of `kind` a person would type to find `p` (the i-th of its kind). */
function queryFor(kind: KindKey, p: Person, i: number): string {
  const last = foldName(p.lastName);
  const first = foldName(p.firstName);
  switch (kind) {
    case '3Letters':
      return startWithLetters(last, 3);
    case '4Letters':
      return startWithLetters(last, 4);
    case '6Letters':
      return startWithLetters(last, 6);
    case 'TwoWords':
      return i % 2 === 0 ? `${last} ${startWithLetters(first, 3)}` : `${first} ${startWithLetters(last, 3)}`;
    case 'NationalId':
      return p.nationalId;
    case 'CardNumber':
      return p.cardNumber!;
  }
}

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

interface KindFigures {
  requests: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  requestsPerSecond: number;
  /** answers other than a 200 that finds the professional */
  failures: number;
  /** how many a name query matched, median (counted up to 1,000) */
  medianTotal: number;
}

interface Measured {
  latenciesMs: number[];
  totals: number[];
  failures: string[];
  seconds: number;
}

/** Sends the queries, `concurrency` at a time, and times each answer. */
async function drive(
  url: string,
  token: string,
  queries: Array<{ q: string; nationalId: string }>,
  concurrency: number,
): Promise<Measured> {
  const latenciesMs: number[] = [];
  const totals: number[] = [];
  const failures: string[] = [];
  let next = 0;
  const t0 = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (next < queries.length) {
      const { q, nationalId } = queries[next++];
      const s = process.hrtime.bigint();
      const r = await fetch(`${url}${SEARCH_PATH}?q=${encodeURIComponent(q)}`, { headers: { authorization: `Bearer ${token}` } });
      const text = await r.text();
      latenciesMs.push(Number(process.hrtime.bigint() - s) / 1e6);
      if (r.status !== 200) {
        failures.push(`q=${q}: ${r.status} ${tail(text, 300)}`);
        continue;
      }
      const body = JSON.parse(text) as { kind: string; total: number; items: Array<{ nationalId: string }> };
      totals.push(body.total);
      const found = body.kind === 'name' ? body.total > 0 : body.items.some((i) => i.nationalId === nationalId);
      if (!found) failures.push(`q=${q}: ${body.kind}, total ${body.total}, professional ${nationalId} not found`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latenciesMs, totals, failures, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

function figures(m: Measured): KindFigures {
  const sorted = [...m.latenciesMs].sort((a, b) => a - b);
  const totals = [...m.totals].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? Number.NaN),
    meanMs: round(sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length)),
    requestsPerSecond: round(sorted.length / m.seconds, 1),
    failures: m.failures.length,
    medianTotal: percentile(totals, 50),
  };
}

/** People picked at random (fixed seed), in practice, with their card when they have one. */
async function pickPeople(db: Client, n: number, seed: number): Promise<Person[]> {
  const r = await db.query(
    `SELECT p.national_id AS "nationalId", p.last_name AS "lastName", p.first_name AS "firstName",
            (SELECT min(c.card_number) FROM card c WHERE c.national_id = p.national_id) AS "cardNumber"
       FROM rpps_professional p WHERE p.ceased_at IS NULL ORDER BY md5(p.national_id || $1) LIMIT $2`,
    [`people-${seed}`, n],
  );
  return r.rows as Person[];
}

/** Gives `n` professionals picked at random a card (numbers from 1 up, as the sequence would). */
async function seedCards(db: Client, n: number, seed: number): Promise<number> {
  const r = await db.query(
    `SELECT p.national_id, (SELECT min(pr.profession_code) FROM rpps_profession pr WHERE pr.national_id = p.national_id) AS prof
       FROM rpps_professional p WHERE p.ceased_at IS NULL ORDER BY md5(p.national_id || $1) LIMIT $2`,
    [`cards-${seed}`, n],
  );
  const rows = r.rows as Array<{ national_id: string; prof: string }>;
  await db.query(
    `INSERT INTO card (card_number, card_type, generation, national_id, national_id_in_card, profession_code, last_name, first_name,
                       valid_from, valid_until, state, source)
     SELECT k.n, 'CPS', 'CPS4', p.national_id, p.national_id, k.prof, p.last_name, p.first_name, DATE '2024-01-01', DATE '2030-01-01',
            'active', 'import'
       FROM unnest($1::text[], $2::text[], $3::text[]) AS k(n, nid, prof) JOIN rpps_professional p ON p.national_id = k.nid`,
    [rows.map((_, i) => cardNumberFromSequence(i + 1)), rows.map((x) => x.national_id), rows.map((x) => x.prof)],
  );
  await db.query('ANALYZE card');
  return rows.length;
}

export async function run(argv: string[]): Promise<void> {
  const { flags } = parseFlags(argv);
  const persons = Math.round(numFlag(flags.get('persons'), 'persons', DEFAULT_PERSONS));
  const seed = Math.round(numFlag(flags.get('seed'), 'seed', DEFAULT_SEED));
  const requests = Math.round(numFlag(flags.get('requests'), 'requests', 1000));
  const warmup = flags.get('warmup') === '0' ? 0 : Math.round(numFlag(flags.get('warmup'), 'warmup', 100));
  const concurrency = Math.round(numFlag(flags.get('concurrency'), 'concurrency', 4));
  const cardsWanted = Math.round(numFlag(flags.get('cards'), 'cards', 50_000));
  const keep = flags.has('keep');
  const benchDir = path.resolve(
    typeof flags.get('dir') === 'string' ? (flags.get('dir') as string) : (process.env.BENCH_DIR ?? './var/bench'),
  );
  const baseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const benchUrl = withDatabase(baseUrl, BENCH_DB);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cps-bench-search-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: benchUrl,
    REDIS_URL: process.env.REDIS_URL ?? DEFAULT_REDIS_URL,
    QUEUE_PREFIX: 'cps_bench_search',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
  };

  let admin: Client;
  try {
    admin = await adminClient(baseUrl);
  } catch (e) {
    throw new BenchFailure(`cannot reach PostgreSQL at ${new URL(baseUrl).host}: ${(e as Error).message}`);
  }
  let api: RunningApi | null = null;
  let db: Client | null = null;
  let dbCreated = false;
  try {
    const machine = await printMachine(admin);
    const data = await day1Extract({ dir: benchDir, persons, seed, layout: 52 });

    await dropDatabase(benchUrl);
    await ensureDatabase(benchUrl);
    dbCreated = true;
    console.log(`database ${BENCH_DB} created on ${new URL(baseUrl).host}`);
    console.log(`baseline import: rpps:import ${data.files.map((f) => path.basename(f)).join(' ')}`);
    const imported = await spawnMeasured(process.execPath, [CLI_ENTRY, 'rpps:import', ...data.files, '--json'], env, { cwd: ROOT });
    const status = (() => {
      try {
        return (JSON.parse(imported.stdout.trim().split('\n').pop() ?? '') as { status?: string }).status;
      } catch {
        return undefined;
      }
    })();
    if (imported.code !== 0 || status !== 'baseline') {
      throw new BenchFailure(
        `rpps:import failed (exit ${imported.code}, status ${status})\n--- stderr ---\n${tail(imported.stderr)}\n--- stdout ---\n${tail(imported.stdout)}`,
      );
    }
    console.log(`  ${imported.seconds.toFixed(1)}s, peak RSS ${imported.peakRssMb} MiB`);

    db = await connect(benchUrl, 'cps-bench-search');
    const v0 = process.hrtime.bigint();
    await db.query('VACUUM (ANALYZE) rpps_professional');
    await db.query('VACUUM (ANALYZE) rpps_profession');
    const vacuumSeconds = Number(process.hrtime.bigint() - v0) / 1e9;
    console.log(`VACUUM (ANALYZE) of the registry: ${vacuumSeconds.toFixed(1)}s`);
    const professionals = Number((await db.query('SELECT count(*)::int AS n FROM rpps_professional WHERE ceased_at IS NULL')).rows[0].n);
    const cards = await seedCards(db, cardsWanted, seed);
    console.log(`${professionals} professionals in practice, ${cards} of them with a card`);

    const perKind = warmup + requests;
    const people = await pickPeople(db, perKind, seed);
    const withCards = people.filter((p) => p.cardNumber !== null);
    if (people.length < perKind || !withCards.length)
      throw new BenchFailure(`not enough professionals (${people.length}) or cards to draw queries from`);
    const rng = mulberry32(seed);
    const queries = (kind: KindKey) =>
      Array.from({ length: perKind }, (_, i) => {
        const p = kind === 'CardNumber' ? withCards[Math.floor(rng() * withCards.length)] : people[i];
        return { q: queryFor(kind, p, i), nationalId: p.nationalId };
      });

    api = await startApi(env);
    console.log(`API pid ${api.pid} healthy on ${api.url} after ${api.startSeconds.toFixed(1)}s`);
    const token = await createToken(env, 'helpdesk');

    const loadBefore = os.loadavg()[0];
    const results = {} as Record<KindKey, KindFigures>;
    const all: number[] = [];
    const failures: string[] = [];
    console.log(`queries: ${warmup} of each kind to warm up (not counted), then ${requests} measured per kind, ${concurrency} in flight`);
    const byKind = new Map(KINDS.map((k) => [k.key, queries(k.key)]));
    // Every kind warms up before any is measured: the first kind measured meets no colder API or pool than the last.
    if (warmup)
      await drive(
        api.url,
        token,
        [...byKind.values()].flatMap((qs) => qs.slice(0, warmup)),
        concurrency,
      );
    for (const kind of KINDS) {
      const qs = byKind.get(kind.key)!;
      const m = await drive(api.url, token, qs.slice(warmup), concurrency);
      results[kind.key] = figures(m);
      all.push(...m.latenciesMs);
      failures.push(...m.failures.map((f) => `${kind.label}: ${f}`));
      const f = results[kind.key];
      console.log(
        `  ${kind.label.padEnd(22)} p50 ${String(f.p50Ms).padStart(6)} ms  p95 ${String(f.p95Ms).padStart(6)} ms  ` +
          `p99 ${String(f.p99Ms).padStart(6)} ms  max ${String(f.maxMs).padStart(7)} ms  ${f.requestsPerSecond} req/s` +
          (kind.name ? `  (median total ${f.medianTotal}, e.g. "${qs[warmup].q}")` : '') +
          (f.failures ? `  ${f.failures} FAILED` : ''),
      );
    }
    const loadAfter = os.loadavg()[0];
    const sortedAll = all.sort((a, b) => a - b);
    const prefixKinds: KindKey[] = ['3Letters', '4Letters', '6Letters', 'TwoWords'];
    const targetChecks = Object.fromEntries(prefixKinds.map((k) => [`p95Ms${k}AtMost${TARGET_P95_MS}`, results[k].p95Ms <= TARGET_P95_MS]));
    const targetsMet = Object.values(targetChecks).every(Boolean) && failures.length === 0;

    const result: Record<string, unknown> = {
      bench: 'search',
      professionals,
      cards,
      requestsPerKind: requests,
      warmupPerKind: warmup,
      concurrency,
    };
    for (const kind of KINDS) {
      const f = results[kind.key];
      result[`p50Ms${kind.key}`] = f.p50Ms;
      result[`p95Ms${kind.key}`] = f.p95Ms;
      result[`p99Ms${kind.key}`] = f.p99Ms;
      result[`maxMs${kind.key}`] = f.maxMs;
    }
    Object.assign(result, {
      p50Ms: round(percentile(sortedAll, 50)),
      p95Ms: round(percentile(sortedAll, 95)),
      p99Ms: round(percentile(sortedAll, 99)),
      failedCount: failures.length,
      targetP95Ms: TARGET_P95_MS,
      targetChecks,
      targetsMet,
      importSeconds: round(imported.seconds),
      vacuumSeconds: round(vacuumSeconds),
      apiPeakRssMb: api.peakRssMb(),
      loadAverage1mBefore: round(loadBefore),
      loadAverage1mAfter: round(loadAfter),
      machine,
    });

    console.log('');
    console.log(`search over ${professionals} professionals, GET ${SEARCH_PATH}, ${concurrency} in flight`);
    console.log(`  all kinds: p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, p99 ${result.p99Ms} ms`);
    console.log(
      `  load average (1 min) of the machine: ${round(loadBefore)} before, ${round(loadAfter)} after, on ${machine.cores} cores ` +
        '(other work on the machine slows every answer)',
    );
    console.log(
      `  target: p95 ≤ ${TARGET_P95_MS} ms for 3, 4, 6 letters and two words: ${targetsMet ? 'met' : 'MISSED'}` +
        (failures.length ? `; ${failures.length} failed answers` : ''),
    );
    for (const f of failures.slice(0, 10)) console.log(`    ${f}`);
    const apiOutput = api.output().trim();
    if (apiOutput) console.log(`  API output (warn and above):\n${tail(apiOutput, 3000)}`);
    finalJsonLine(result);
    if (failures.length) process.exitCode = 1;
  } finally {
    if (db) await db.end().catch(() => undefined);
    if (api) await api.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (dbCreated && !keep) await dropDatabase(benchUrl).catch(() => undefined);
    else if (dbCreated) console.error(`kept database ${BENCH_DB}`);
    await admin.end();
  }
}
