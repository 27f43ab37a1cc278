/**
 * `npm run bench -- api [--connections N] [--duration S] [--warmup S] [--registry PERSONS] [--keep] [--no-idempotency-key] [--cpu-prof DIR]`
 *
 * Order creation over HTTP (`POST /api/v1/orders`) under load:
 * 1. creates a fresh database `cps_bench_api` on the server of DATABASE_URL;
 * 2. starts the API (`dist/src/main.js`, which migrates it) and the worker
 *    (`dist/src/worker.js`, whose audit sequencer links the audit entries into the chain
 *    and signs checkpoints), both with a DATA_DIR of their own, and makes an operator token
 *    with `tokens:create`; seeds the registry: a synthetic extract of `--registry` persons
 *    (default 300,000, about 309,000 (person, profession) pairs: a run at 2,700 orders/s uses
 *    about 85,000 of them) from the project's generator,
 *    imported with `rpps:import` (the baseline), timed (an order for someone not active in
 *    the registry with that profession is refused);
 * 3. warms up (default 2 s, not counted), then drives it with autocannon: 50 connections
 *    for 30 s by default, every request a NEW order for a seeded (nationalId,
 *    professionCode) (card type CPS, reason `manual`: one registry read, stays `requested`)
 *    with its own Idempotency-Key;
 * 4. checks that the orders in the database match the 201 responses, and reports where
 *    the application's database connections spent the run (pg_stat_activity sampled every
 *    100 ms, sessions named `cps-backoffice/…`: none may wait on a lock, advisory or
 *    other; the statements that do are listed), the CPU of the API, the worker, PostgreSQL
 *    and the load generator, and the sequencer's delay from an entry's commit to the first
 *    signed checkpoint that covers it (p50/p99, measured once the sequencer caught up);
 * 5. stops the API, drops the database (unless --keep), prints a summary, then one final
 *    JSON line.
 *
 * Targets (issue 8): at least 600 orders/s, p99 at most 100 ms, no error, no connection
 * waiting on a lock, and the audit entries signed within 2 s (p99).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { dropDatabase, ensureDatabase, withDatabase } from '../src/common/database/database-url';
import { cpuDelta, cpuSeconds, cpuSecondsByName, type RunningApi, type RunningWorker, startApi, startWorker } from './api-process';
import { OrderBodies, seedRegistry } from './api-registry';
import { BenchFailure, finalJsonLine, parseFlags, printMachine, round } from './harness';
import { type AcRequest, adminClient, connect, createToken, numFlag, runAutocannon, statusSummary, tail } from './http-load';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/cps';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const BENCH_DB = 'cps_bench_api';
/** The application_name of the API's and the worker's sessions: `cps-backoffice/<host>/<pid>` (processApplicationName). */
const APPLICATION_NAME_PATTERN = 'cps-backoffice/%';
const ORDERS_PATH = '/api/v1/orders';
const TARGETS = { ordersPerSecond: 600, p99Ms: 100, auditSignedP99Ms: 2000 };
// ---- where the API's database connections spend their time ----

interface WaitSample {
  samples: number;
  /** connection-samples per "state / wait" */
  byState: Map<string, number>;
  /** connection-samples waiting on a lock (any Lock:* wait), per "wait: statement" */
  lockWaits: Map<string, number>;
}

/** Samples pg_stat_activity every `everyMs` for the application's connections to `db` (the API's and the worker's). */
function startWaitSampler(pg: Client, db: string, everyMs = 100): { stop(): Promise<WaitSample> } {
  const acc: WaitSample = { samples: 0, byState: new Map(), lockWaits: new Map() };
  let stopped = false;
  let busy: Promise<void> = Promise.resolve();
  const tick = async (): Promise<void> => {
    const r = await pg.query(
      `SELECT coalesce(state, '?') AS state,
              coalesce(wait_event_type || ':' || wait_event, 'on CPU') AS wait,
              CASE WHEN wait_event_type = 'Lock' THEN left(regexp_replace(query, 's+', ' ', 'g'), 100) END AS lock_query,
              count(*)::int AS n
         FROM pg_stat_activity
        WHERE datname = $1 AND application_name LIKE $2 AND pid <> pg_backend_pid()
        GROUP BY 1, 2, 3`,
      [db, APPLICATION_NAME_PATTERN],
    );
    acc.samples++;
    for (const row of r.rows as Array<{ state: string; wait: string; lock_query: string | null; n: number }>) {
      const key = row.state === 'active' ? `active, ${row.wait}` : row.state;
      acc.byState.set(key, (acc.byState.get(key) ?? 0) + row.n);
      if (row.lock_query !== null) {
        const lk = `${row.wait}: ${row.lock_query}`;
        acc.lockWaits.set(lk, (acc.lockWaits.get(lk) ?? 0) + row.n);
      }
    }
  };
  const timer = setInterval(() => {
    if (stopped) return;
    busy = busy.then(tick).catch(() => undefined);
  }, everyMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await busy;
      return acc;
    },
  };
}

// ---- helpers ----

async function countRows(pg: Client, table: string): Promise<number> {
  const r = await pg.query(`SELECT count(*)::bigint AS n FROM ${table}`);
  return Number(r.rows[0].n);
}

/** Waits until `table` stops growing (requests cut off by autocannon's stop still commit). */
/**
 * Waits until the sequencer has linked every entry and signed a checkpoint covering them,
 * then measures, for each entry since `afterId`, the time from its `at` (taken just before
 * its transaction commits) to the first checkpoint whose size covers its position.
 */
async function sequencerDelay(pg: Client, afterId: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await pg.query(
      `SELECT (SELECT count(*) FROM audit_queue)::int AS queued,
              coalesce((SELECT max(seq) FROM audit_chain), 0)::bigint AS size,
              coalesce((SELECT max(size) FROM audit_checkpoint), 0)::bigint AS signed`,
    );
    const { queued, size, signed } = r.rows[0];
    if (queued === 0 && Number(signed) >= Number(size)) break;
    if (Date.now() > deadline)
      throw new BenchFailure(`the audit sequencer did not catch up within ${timeoutMs / 1000} s (${queued} queued)`);
    await new Promise((res) => setTimeout(res, 200));
  }
  const r = await pg.query(
    `SELECT count(*)::int AS entries,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY d) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY d) AS p99, max(d) AS max
       FROM (SELECT extract(epoch FROM (SELECT k.signed_at FROM audit_checkpoint k WHERE k.size >= c.seq ORDER BY k.size, k.signed_at LIMIT 1) - a.at) * 1000 AS d
               FROM audit_log a JOIN audit_chain c ON c.entry_id = a.id WHERE a.id > $1::bigint) x`,
    [afterId],
  );
  const row = r.rows[0];
  const checkpoints = await pg.query(`SELECT count(*)::int AS n FROM audit_checkpoint`);
  return {
    entries: row.entries as number,
    p50Ms: round(Number(row.p50)),
    p99Ms: round(Number(row.p99)),
    maxMs: round(Number(row.max)),
    checkpoints: checkpoints.rows[0].n as number,
  };
}

async function settledCount(pg: Client, table: string, quietMs = 1000, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = await countRows(pg, table);
  for (;;) {
    await new Promise((r) => setTimeout(r, quietMs));
    const now = await countRows(pg, table);
    if (now === last || Date.now() > deadline) return now;
    last = now;
  }
}

// ---- the benchmark ----

export async function run(argv: string[]): Promise<void> {
  const { flags } = parseFlags(argv);
  const connections = Math.round(numFlag(flags.get('connections'), 'connections', 50));
  const durationSeconds = Math.round(numFlag(flags.get('duration'), 'duration', 30));
  const warmupSeconds = flags.get('warmup') === '0' ? 0 : Math.round(numFlag(flags.get('warmup'), 'warmup', 2));
  const registryPersons = Math.round(numFlag(flags.get('registry'), 'registry', 300_000));
  const keep = flags.has('keep');
  const withIdempotencyKey = !flags.has('no-idempotency-key');
  /** Where the API writes a V8 CPU profile (.cpuprofile) when it stops; none by default. */
  const cpuProfFlag = flags.get('cpu-prof');
  if (cpuProfFlag === true) throw new BenchFailure('--cpu-prof needs a directory');
  const cpuProfDir = cpuProfFlag;

  const baseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const benchUrl = withDatabase(baseUrl, BENCH_DB);
  // the audit signing key and checkpoints of this throw-away database stay out of ./var
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cps-bench-api-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: benchUrl,
    REDIS_URL: process.env.REDIS_URL ?? DEFAULT_REDIS_URL,
    // keep the benchmark's jobs (if any) away from a developer's worker
    QUEUE_PREFIX: 'cps_bench_api',
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
  let worker: RunningWorker | null = null;
  let db: Client | null = null;
  let dbCreated = false;
  try {
    const machine = await printMachine(admin);

    await dropDatabase(benchUrl);
    await ensureDatabase(benchUrl);
    dbCreated = true;
    console.log(`database ${BENCH_DB} created on ${new URL(baseUrl).host}`);

    api = await startApi(env, { nodeArgs: cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(cpuProfDir)}`] : [] });
    if (cpuProfDir) console.log(`the API writes its CPU profile into ${path.resolve(cpuProfDir)} when it stops`);
    console.log(`API pid ${api.pid} healthy on ${api.url} after ${api.startSeconds.toFixed(1)}s (migrations included)`);
    worker = await startWorker(env);
    console.log(
      `worker pid ${worker.pid} started (audit sequencer: a round every ${Number(env.AUDIT_SEQUENCE_INTERVAL_MS ?? 2000) / 2} ms)`,
    );
    const token = await createToken(env);
    console.log('operator token created (tokens:create)');
    db = await connect(benchUrl, 'cps-bench-sampler');

    console.log(`registry: generating ${registryPersons} persons and importing them (rpps:import, baseline)`);
    const registry = await seedRegistry(env, db, dataDir, registryPersons);
    console.log(
      `  ${registry.pairs.length} (nationalId, profession) pairs of ${registry.persons} persons seeded in ${registry.seconds} s ` +
        `(extract generated in ${registry.generateSeconds} s, rpps:import ${registry.importSeconds} s)`,
    );
    const bodies = new OrderBodies(registry.pairs);
    const runTag = Date.now().toString(36);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
    };
    const request: AcRequest = {
      method: 'POST',
      path: ORDERS_PATH,
      headers,
      setupRequest: (req) => {
        const b = bodies.take();
        const h = withIdempotencyKey ? { ...req.headers, 'idempotency-key': `bench-${runTag}-${b.index}` } : req.headers;
        return { ...req, headers: h, body: b.json };
      },
    };

    // One order by hand: a wrong token, route or body fails here with its message.
    {
      const b = bodies.take();
      const r = await fetch(api.url + ORDERS_PATH, {
        method: 'POST',
        headers: withIdempotencyKey ? { ...headers, 'idempotency-key': `bench-${runTag}-${b.index}` } : headers,
        body: b.json,
      });
      const text = await r.text();
      if (r.status !== 201) throw new BenchFailure(`POST ${ORDERS_PATH} answered ${r.status}, expected 201: ${tail(text, 1000)}`);
      const order = JSON.parse(text) as { status?: string };
      if (order.status !== 'requested') console.log(`  warning: the first order is "${order.status}", expected "requested"`);
    }

    if (warmupSeconds > 0) {
      console.log(`warm-up: ${connections} connections, ${warmupSeconds}s (not counted)`);
      const w = await runAutocannon({ url: api.url, connections, duration: warmupSeconds, requests: [request] });
      console.log(
        `  ${w.statusCodeStats['201']?.count ?? 0} orders, ${round((w.statusCodeStats['201']?.count ?? 0) / w.duration, 0)}/s, ` +
          `p99 ${w.latency.p99} ms, statuses ${statusSummary(w.statusCodeStats)}, errors ${w.errors}`,
      );
    }

    const ordersBefore = await settledCount(db, 'card_order', 500);
    const auditBefore = await countRows(db, 'audit_log');
    const auditIdBefore = String((await db.query(`SELECT coalesce(max(id), 0)::text AS id FROM audit_log`)).rows[0].id);
    const issuedBefore = bodies.issued;

    console.log(`run: ${connections} connections, ${durationSeconds}s, POST ${ORDERS_PATH} (a new order each time)`);
    const sampler = startWaitSampler(db, BENCH_DB);
    const cpuApi0 = cpuSeconds(api.pid) ?? 0;
    const cpuWorker0 = cpuSeconds(worker.pid) ?? 0;
    const cpuPg0 = cpuSecondsByName('postgres');
    const cpuSelf0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const res = await runAutocannon({ url: api.url, connections, duration: durationSeconds, timeout: 10, requests: [request] });
    const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpuSelf = process.cpuUsage(cpuSelf0);
    const cpuPg = cpuDelta(cpuPg0, cpuSecondsByName('postgres'));
    const cpuApi = (cpuSeconds(api.pid) ?? cpuApi0) - cpuApi0;
    const cpuWorker = (cpuSeconds(worker.pid) ?? cpuWorker0) - cpuWorker0;
    const waits = await sampler.stop();

    const ordersAfter = await settledCount(db, 'card_order');
    const auditAfter = await countRows(db, 'audit_log');
    const sequencer = await sequencerDelay(db, auditIdBefore);
    const advisoryLockWaits = [...waits.byState.entries()].filter(([k]) => k.includes('Lock:advisory')).reduce((n, [, c]) => n + c, 0);
    const lockWaits = [...waits.lockWaits.values()].reduce((n, c) => n + c, 0);
    // A sampler that never saw the application's sessions would report "no lock wait" for nothing.
    const connectionSamples = [...waits.byState.values()].reduce((n, c) => n + c, 0);
    const peakRss = api.peakRssMb();

    const status201 = res.statusCodeStats['201']?.count ?? 0;
    const answered = Object.values(res.statusCodeStats).reduce((s, x) => s + x.count, 0);
    const sent = res.requests.sent;
    const cutOff = Math.max(0, sent - answered - res.errors - res.timeouts);
    const ordersCreated = ordersAfter - ordersBefore;
    const ordersPerSecond = status201 / res.duration;
    const errors = res.errors + res.timeouts + res.non2xx;
    // Requests still in flight when autocannon stopped were sent and are committed by the
    // API afterwards, without a response: they are in the table but not among the 201s.
    const ordersMatch = ordersCreated === status201 + cutOff;
    const apiOutput = api.output().trim();

    const cpuCores = machine.cores;
    const pct = (s: number): number => round((100 * s) / res.duration, 0);
    const waitLines = [...waits.byState.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `    ${(n / Math.max(1, waits.samples)).toFixed(2).padStart(6)}  ${k}`);

    const result = {
      bench: 'api',
      connections,
      durationSeconds,
      ordersPerSecond: round(ordersPerSecond, 1),
      p50Ms: res.latency.p50,
      p99Ms: res.latency.p99,
      errors,
      non2xx: res.non2xx,
      ordersCreated,
      apiPeakRssMb: peakRss,
      targets: TARGETS,
      targetsMet:
        ordersPerSecond >= TARGETS.ordersPerSecond &&
        res.latency.p99 <= TARGETS.p99Ms &&
        errors === 0 &&
        lockWaits === 0 &&
        connectionSamples > 0 &&
        sequencer.p99Ms <= TARGETS.auditSignedP99Ms,
      auditSequencer: {
        commitToSignedCheckpointMs: { p50: sequencer.p50Ms, p99: sequencer.p99Ms, max: sequencer.maxMs },
        entries: sequencer.entries,
        checkpoints: sequencer.checkpoints,
      },
      lockWaitSamples: lockWaits,
      advisoryLockWaitSamples: advisoryLockWaits,
      lockWaitStatements: Object.fromEntries([...waits.lockWaits.entries()].sort((a, b) => b[1] - a[1])),
      dbConnectionSamples: connectionSamples,
      responses201: status201,
      requestsCutOffAtStop: cutOff,
      ordersMatchResponses: ordersMatch,
      latencyMs: {
        average: round(res.latency.average),
        p90: res.latency.p90,
        p97_5: res.latency.p97_5,
        max: res.latency.max,
      },
      socketErrors: res.errors,
      timeouts: res.timeouts,
      statusCodes: Object.fromEntries(Object.entries(res.statusCodeStats).map(([k, v]) => [k, v.count])),
      measuredSeconds: res.duration,
      warmupSeconds,
      idempotencyKey: withIdempotencyKey,
      registry: {
        persons: registry.persons,
        pairs: registry.pairs.length,
        seedSeconds: registry.seconds,
        generateSeconds: registry.generateSeconds,
        importSeconds: registry.importSeconds,
        pairsExhausted: bodies.exhausted,
      },
      auditEntriesCreated: auditAfter - auditBefore,
      cpuPercentOfOneCore: {
        api: pct(cpuApi),
        worker: pct(cpuWorker),
        postgres: pct(cpuPg),
        loadGenerator: pct((cpuSelf.user + cpuSelf.system) / 1e6),
      },
      dbConnectionStates: Object.fromEntries(
        [...waits.byState.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, round(n / Math.max(1, waits.samples))]),
      ),
      apiStartSeconds: round(api.startSeconds),
      machine,
    };

    const mark = (ok: boolean): string => (ok ? 'ok' : 'MISSED');
    console.log('');
    console.log(`order creation over HTTP, ${connections} connections, ${res.duration}s measured (wall ${wallSeconds.toFixed(1)}s)`);
    console.log(
      `  throughput : ${result.ordersPerSecond} orders/s (${status201} × 201)  target ≥ ${TARGETS.ordersPerSecond}: ` +
        mark(ordersPerSecond >= TARGETS.ordersPerSecond),
    );
    console.log(
      `  latency    : p50 ${res.latency.p50} ms, p90 ${res.latency.p90} ms, p99 ${res.latency.p99} ms, max ${res.latency.max} ms ` +
        `(average ${round(res.latency.average)} ms)  p99 target ≤ ${TARGETS.p99Ms} ms: ${mark(res.latency.p99 <= TARGETS.p99Ms)}`,
    );
    console.log(
      `  errors     : ${errors} (non-2xx ${res.non2xx}, socket errors ${res.errors}, timeouts ${res.timeouts}); ` +
        `statuses ${statusSummary(res.statusCodeStats)}  ${mark(errors === 0)}`,
    );
    console.log(
      `  database   : ${ordersCreated} orders created = ${status201} × 201 + ${cutOff} cut off at the stop: ` +
        `${ordersMatch ? 'match' : 'MISMATCH'}; ${auditAfter - auditBefore} audit entries`,
    );
    console.log(
      `  audit      : ${sequencer.entries} entries signed ${sequencer.p50Ms} ms (p50), ${sequencer.p99Ms} ms (p99), ${sequencer.maxMs} ms (max) ` +
        `after their commit, in ${sequencer.checkpoints} checkpoints  p99 target ≤ ${TARGETS.auditSignedP99Ms} ms: ` +
        `${mark(sequencer.p99Ms <= TARGETS.auditSignedP99Ms)}; connection-samples waiting on a lock: ${lockWaits} ` +
        `(advisory ${advisoryLockWaits}) ${mark(lockWaits === 0)}`,
    );
    for (const [k, n] of waits.lockWaits) console.log(`    ${String(n).padStart(6)}  ${k}`);
    if (connectionSamples === 0) {
      console.log(`  sampler    : MISSED: no session named ${APPLICATION_NAME_PATTERN} seen in ${waits.samples} samples`);
    }
    console.log(`  API        : peak RSS ${peakRss} MiB`);
    console.log(
      `  CPU        : API ${result.cpuPercentOfOneCore.api}%, worker ${result.cpuPercentOfOneCore.worker}%, PostgreSQL ${result.cpuPercentOfOneCore.postgres}%, ` +
        `load generator ${result.cpuPercentOfOneCore.loadGenerator}% of one core (${cpuCores} cores)`,
    );
    console.log(`  DB connections of the API (pool of 10) and the worker, average count per state over ${waits.samples} samples:`);
    for (const l of waitLines) console.log(l);
    console.log(
      `  bodies     : ${bodies.issued - issuedBefore} orders generated during the run, ${bodies.issued} of ${bodies.capacity} registry pairs used` +
        (bodies.exhausted ? ': EXHAUSTED, pairs were reused (409s): raise --registry' : ''),
    );
    console.log(
      `  registry   : ${registry.pairs.length} pairs (${registry.persons} persons) seeded in ${registry.seconds} s ` +
        `(generated ${registry.generateSeconds} s, rpps:import ${registry.importSeconds} s)`,
    );
    if (apiOutput) console.log(`  API output (warn and above):\n${tail(apiOutput, 3000)}`);
    console.log(`  result     : ${result.targetsMet ? 'targets met' : 'targets MISSED'}`);
    finalJsonLine(result);
  } finally {
    if (db) await db.end().catch(() => undefined);
    if (api) await api.stop();
    if (worker) await worker.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (dbCreated && !keep) await dropDatabase(benchUrl).catch(() => undefined);
    else if (dbCreated) console.error(`kept database ${BENCH_DB} (${path.basename(benchUrl)})`);
    await admin.end();
  }
}
