/**
 * `npm run bench -- crl [--cards N] [--delta N] [--valid N] [--connections N] [--duration S] [--flood-connections N] [--keep]`
 *
 * The published opposition list at national size:
 * 1. creates a fresh database `cps_bench_crl` (migrated by `tokens:create`, which also
 *    makes the token of the status route) and a fresh DATA_DIR, where the development
 *    issuer is generated;
 * 2. generates, in SQL, N opposed cards (default 1,000,000) with their oppositions, the
 *    reasons mixed as the domain has them (loss and theft with an invalidity date), all
 *    within their validity so that every one is on the list, and 200,000 valid cards;
 * 3. publishes the full CRL in a child process (`crl-publish-process full`): its time
 *    from the database to the signed file, and the child's peak memory; checks it with
 *    `openssl crl -verify` and counts its entries;
 * 4. opposes 1,000 more cards and publishes the delta CRL the same way; checks it too;
 * 5. starts the API as on another host: NODE_ENV=production, a DATA_DIR of its own (no
 *    access to the CRL files) and no key or certificate; it serves the CRLs from the
 *    database. Times the first GET /opposition/crl (the API loads the CRL from PostgreSQL
 *    into memory) and the next ones (from memory), checks the bytes' SHA-256 against the
 *    publication and the 304 on If-None-Match;
 * 6. drives `GET /api/v1/cards/:cardNumber/status` with autocannon, 50 connections for
 *    20 s (random cards: opposed, valid, unknown), after a 3 s warm-up;
 * 7. measures the same load again while a second autocannon client, in a process of its
 *    own (status-flood-process.ts, 20 connections), floods the same route with invalid
 *    tokens (a new random well-formed one per request, one in ten malformed). Both come
 *    from 127.0.0.1: once the flood has taken the address past AUTH_FAILURES_PER_MINUTE
 *    (checked: a probe gets 429) the valid client is measured, and every one of its
 *    answers must be a 2xx; the flood's answers are counted by status (401, then 429);
 * 8. drops the database (unless --keep) and prints one final JSON line.
 *
 * Targets (issues 4 and 8): full CRL ≤ 5 s and ≤ 600 MB; delta of 1,000 ≤ 0.5 s; status
 * route ≥ 2,000 requests/s with p99 ≤ 50 ms, alone and under the flood (all 2xx).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { dropDatabase, ensureDatabase, withDatabase } from '../src/common/database/database-url';
import { readChildren, readTlv } from '../src/opposition/crl-encoder';
import { verifyCrl } from '../test/support/openssl';
import { cpuDelta, cpuSecondsByName, type RunningApi, startApi } from './api-process';
import { BenchFailure, finalJsonLine, parseFlags, printMachine, round, spawnMeasured, timeIt } from './harness';
import { type AcRequest, adminClient, connect, createToken, numFlag, runAutocannon, statusSummary, tail } from './http-load';
import { invalidToken, startFlood } from './status-flood-process';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/cps';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const BENCH_DB = 'cps_bench_crl';
const TARGETS = { fullCrlSeconds: 5, fullCrlPeakRssMb: 600, deltaCrlSeconds: 0.5, statusRequestsPerSecond: 2000, statusP99Ms: 50 };
/** How long the flood may take to put the address over its budget of failed authentications. */
const FLOOD_ENGAGE_TIMEOUT_MS = 15_000;
const OPPOSED_BASE = 4_000_000_000;
const VALID_BASE = 5_000_000_000;
const UNKNOWN_BASE = 6_000_000_000;

interface Publication {
  crlNumber: string;
  sha256: string;
  entries: number;
  bytes: number;
  path: string;
  seconds: number;
}

/** Opposed cards numbered from `first` (count `n`), and their oppositions; reasons in turn. */
async function insertOpposed(pg: Client, first: number, n: number): Promise<void> {
  await pg.query(
    `INSERT INTO card (card_number, card_type, national_id, national_id_in_card, profession_code, valid_from, valid_until, state, source,
                       opposed_at, opposition_reason)
     SELECT lpad(($1::bigint + i)::text, 10, '0'), 'CPS', '8' || lpad(($1::bigint + i)::text, 11, '0'), '8' || lpad(($1::bigint + i)::text, 11, '0'),
            '10', current_date - 400, current_date + 100 + (i % 900), 'opposed', 'order',
            now() - (i % 5000) * interval '1 minute',
            (ARRAY['loss','theft','malfunction','non-receipt','cessation','replacement','expiry'])[1 + i % 7]
       FROM generate_series(0, $2::int - 1) AS i`,
    [first, n],
  );
  await pg.query(
    `INSERT INTO opposition (card_number, reason, source, channel, declared_by, opposed_at, invalidity_date, valid_until)
     SELECT card_number, opposition_reason, 'helpdesk', 'phone', 'helpdesk:bench', opposed_at,
            CASE WHEN opposition_reason IN ('loss','theft') THEN opposed_at - interval '2 days' END, valid_until
       FROM card WHERE card_number >= lpad($1::text, 10, '0') AND card_number < lpad(($1::bigint + $2::int)::text, 10, '0')
      ORDER BY card_number`,
    [first, n],
  );
}

async function publish(
  kind: 'full' | 'delta',
  env: NodeJS.ProcessEnv,
): Promise<{ pub: Publication; peakRssMb: number; wallSeconds: number }> {
  const run = await spawnMeasured(process.execPath, [path.join(__dirname, 'crl-publish-process.js'), kind], env);
  if (run.code !== 0) throw new BenchFailure(`${kind} CRL publication failed (exit ${run.code}):\n${tail(run.stderr)}`);
  const pub = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as Publication;
  return { pub, peakRssMb: run.peakRssMb, wallSeconds: run.seconds };
}

/** The full CRL through the API: the first GET (loaded from the database), a second one (from memory), then a 304. */
async function serveFullCrl(url: string, pub: Publication): Promise<{ firstSeconds: number; cachedMs: number }> {
  const get = async (headers: Record<string, string> = {}) => {
    const t0 = process.hrtime.bigint();
    const r = await fetch(`${url}/opposition/crl`, { headers });
    const body = Buffer.from(await r.arrayBuffer());
    return { r, body, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
  };
  const first = await get();
  if (first.r.status !== 200) throw new BenchFailure(`GET /opposition/crl: ${first.r.status} ${first.body.toString('utf8').slice(0, 500)}`);
  const sha = createHash('sha256').update(first.body).digest('hex');
  if (sha !== pub.sha256 || first.r.headers.get('x-crl-number') !== pub.crlNumber) {
    throw new BenchFailure(`GET /opposition/crl served CRL ${first.r.headers.get('x-crl-number')} (sha256 ${sha}), not ${pub.crlNumber}`);
  }
  const second = await get();
  if (!second.body.equals(first.body)) throw new BenchFailure('GET /opposition/crl: the second answer differs from the first');
  const notModified = await get({ 'if-none-match': first.r.headers.get('etag') ?? '' });
  if (notModified.r.status !== 304) throw new BenchFailure(`GET /opposition/crl with If-None-Match: ${notModified.r.status}, 304 expected`);
  return { firstSeconds: first.seconds, cachedMs: second.seconds * 1000 };
}

/** Waits until an invalid token from this address gets 429 (the flood took it past its budget); the milliseconds waited. */
async function untilRefused(url: string, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  for (let n = 0; ; n++) {
    const r = await fetch(`${url}/api/v1/cards/${String(OPPOSED_BASE)}/status`, {
      headers: { authorization: `Bearer ${invalidToken(0)}` },
    });
    await r.arrayBuffer();
    if (r.status === 429) return Date.now() - t0;
    if (r.status !== 401) throw new BenchFailure(`status route with an invalid token: ${r.status}, 401 or 429 expected`);
    if (Date.now() - t0 > timeoutMs) {
      throw new BenchFailure(`the flood did not bring a 429 within ${timeoutMs / 1000} s (${n + 1} probes answered 401)`);
    }
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Entries of a DER CRL, counted by walking CertificateList → TBSCertList → revokedCertificates. */
function countEntries(der: Buffer): number {
  const list = readTlv(der, 0);
  const tbs = readChildren(der, list)[0];
  const fields = readChildren(der, tbs);
  // version, signature, issuer, thisUpdate, nextUpdate, [revokedCertificates], [0] extensions
  const revoked = fields[5]?.tag === 0x30 ? fields[5] : null;
  return revoked ? readChildren(der, revoked).length : 0;
}

export async function run(argv: string[]): Promise<void> {
  const { flags } = parseFlags(argv);
  const cards = Math.round(numFlag(flags.get('cards'), 'cards', 1_000_000));
  const delta = Math.round(numFlag(flags.get('delta'), 'delta', 1000));
  const validCards = Math.round(numFlag(flags.get('valid'), 'valid', 200_000));
  const connections = Math.round(numFlag(flags.get('connections'), 'connections', 50));
  const durationSeconds = Math.round(numFlag(flags.get('duration'), 'duration', 20));
  const floodConnections = Math.round(numFlag(flags.get('flood-connections'), 'flood-connections', 20));
  const keep = flags.has('keep');

  const baseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const benchUrl = withDatabase(baseUrl, BENCH_DB);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cps-bench-crl-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: benchUrl,
    REDIS_URL: process.env.REDIS_URL ?? DEFAULT_REDIS_URL,
    QUEUE_PREFIX: 'cps_bench_crl',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };

  let admin: Client;
  try {
    admin = await adminClient(baseUrl);
  } catch (e) {
    throw new BenchFailure(`cannot reach PostgreSQL at ${new URL(baseUrl).host}: ${(e as Error).message}`);
  }
  let api: RunningApi | null = null;
  let pg: Client | null = null;
  try {
    const machine = await printMachine(admin);
    await dropDatabase(benchUrl);
    await ensureDatabase(benchUrl);
    const token = await createToken(env, 'batch'); // migrates the database
    pg = await connect(benchUrl);
    const db = pg;

    const gen = await timeIt(
      `generated ${cards.toLocaleString('en')} opposed cards with their oppositions and ${validCards.toLocaleString('en')} valid cards`,
      async () => {
        await insertOpposed(db, OPPOSED_BASE, cards);
        await db.query(
          `INSERT INTO card (card_number, card_type, national_id, national_id_in_card, profession_code, valid_from, valid_until, state, source)
         SELECT lpad(($1::bigint + i)::text, 10, '0'), 'CPS', '8' || lpad(($1::bigint + i)::text, 11, '0'), '8' || lpad(($1::bigint + i)::text, 11, '0'),
                '21', current_date - 100, current_date + 900, 'active', 'order'
           FROM generate_series(0, $2::int - 1) AS i`,
          [VALID_BASE, validCards],
        );
        await db.query('VACUUM ANALYZE card');
        await db.query('VACUUM ANALYZE opposition');
      },
    );

    const issuerFile = path.join(dataDir, 'crl-issuer', 'issuer.crt');
    const full = await publish('full', env);
    const fullFile = path.join(dataDir, full.pub.path);
    verifyCrl(fullFile, issuerFile);
    const fullEntries = countEntries(readFileSync(fullFile));
    if (fullEntries !== cards) throw new BenchFailure(`full CRL lists ${fullEntries} entries, ${cards} expected`);
    console.log(
      `full CRL ${full.pub.crlNumber}: ${fullEntries.toLocaleString('en')} entries, ${(full.pub.bytes / 1048576).toFixed(1)} MiB, ` +
        `${full.pub.seconds.toFixed(2)} s from the database to the signed file (child process ${full.wallSeconds.toFixed(2)} s in all), ` +
        `peak RSS ${full.peakRssMb} MiB; openssl crl -verify: OK`,
    );

    await insertOpposed(db, OPPOSED_BASE + cards, delta);
    const del = await publish('delta', env);
    const deltaFile = path.join(dataDir, del.pub.path);
    verifyCrl(deltaFile, issuerFile);
    const deltaEntries = countEntries(readFileSync(deltaFile));
    if (deltaEntries !== delta) throw new BenchFailure(`delta CRL lists ${deltaEntries} entries, ${delta} expected`);
    console.log(
      `delta CRL ${del.pub.crlNumber}: ${deltaEntries} entries, ${del.pub.seconds.toFixed(3)} s (child ${del.wallSeconds.toFixed(2)} s), ` +
        `peak RSS ${del.peakRssMb} MiB; openssl crl -verify: OK`,
    );

    // The API as on another host: its own DATA_DIR, production, no key or certificate at all.
    const apiDataDir = mkdtempSync(path.join(tmpdir(), 'cps-bench-crl-api-'));
    const { CRL_SIGNING_KEY_FILE: _k, CRL_ISSUER_CERT_FILE: _c, ...apiBase } = env;
    api = await startApi({ ...apiBase, NODE_ENV: 'production', DATA_DIR: apiDataDir });
    console.log(`API pid ${api.pid} healthy on ${api.url} (production, DATA_DIR of its own, no CRL key or certificate)`);
    const serve = await serveFullCrl(api.url, full.pub);
    rmSync(apiDataDir, { recursive: true, force: true });
    console.log(
      `GET /opposition/crl from the API: first ${serve.firstSeconds.toFixed(2)} s (loaded from PostgreSQL), then ${serve.cachedMs.toFixed(0)} ms ` +
        `(from memory), 304 on If-None-Match; bytes match the publication's SHA-256; API peak RSS so far ${api.peakRssMb()} MiB`,
    );
    const pick = (): string => {
      const r = Math.random();
      if (r < 0.6) return String(OPPOSED_BASE + Math.floor(Math.random() * cards)).padStart(10, '0');
      if (r < 0.9) return String(VALID_BASE + Math.floor(Math.random() * validCards)).padStart(10, '0');
      return String(UNKNOWN_BASE + Math.floor(Math.random() * 1e6));
    };
    const request: AcRequest = {
      method: 'GET',
      headers: { authorization: `Bearer ${token}` },
      setupRequest: (req) => ({ ...req, path: `/api/v1/cards/${pick()}/status` }),
    };
    {
      const one = await fetch(`${api.url}/api/v1/cards/${String(OPPOSED_BASE)}/status`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await one.json()) as { status?: string };
      if (one.status !== 200 || body.status !== 'opposed') throw new BenchFailure(`status route: ${one.status} ${JSON.stringify(body)}`);
    }
    await runAutocannon({ url: api.url, connections, duration: 3, requests: [request] });
    const cpuBefore = { api: cpuSecondsByName('node'), pg: cpuSecondsByName('postgres') };
    const res = await runAutocannon({ url: api.url, connections, duration: durationSeconds, timeout: 10, requests: [request] });
    const cpu = {
      apiAndBench: cpuDelta(cpuBefore.api, cpuSecondsByName('node')),
      postgres: cpuDelta(cpuBefore.pg, cpuSecondsByName('postgres')),
    };
    const rps = res.requests.average;
    const errors = res.errors + res.timeouts + res.non2xx;
    console.log(
      `status route, ${connections} connections for ${durationSeconds} s: ${round(rps, 0)} requests/s, ` +
        `latency p50 ${res.latency.p50} ms, p99 ${res.latency.p99} ms, max ${res.latency.max} ms; answers ${statusSummary(res.statusCodeStats)}; ` +
        `CPU: node processes ${round(cpu.apiAndBench, 1)} s, postgres ${round(cpu.postgres, 1)} s`,
    );
    if (errors > 0) throw new BenchFailure(`status route: ${errors} errors (${statusSummary(res.statusCodeStats)})`);

    // The same load while another client, from the same address, floods the route with invalid tokens.
    const flood = await startFlood(api.url, floodConnections);
    let floodEngagedMs: number;
    let uf: Awaited<ReturnType<typeof runAutocannon>>;
    try {
      floodEngagedMs = await untilRefused(api.url, FLOOD_ENGAGE_TIMEOUT_MS);
      uf = await runAutocannon({ url: api.url, connections, duration: durationSeconds, timeout: 10, requests: [request] });
    } finally {
      await flood.stop().catch(() => undefined);
    }
    const floodRes = await flood.stop();
    const uf2xx = uf['2xx'];
    // answers served (2xx) per second: a 429 to the valid client is a failure, not throughput
    const ufRps = uf.duration > 0 ? uf2xx / uf.duration : 0;
    const ufAnswered = Object.values(uf.statusCodeStats).reduce((n, x) => n + x.count, 0);
    const ufErrors = uf.errors + uf.timeouts + uf.non2xx;
    const flood429 = floodRes.statusCodes['429'] ?? 0;
    console.log(
      `status route under a flood of invalid tokens (${floodConnections} connections, same address, 429 after ${floodEngagedMs} ms), ` +
        `${connections} connections with a valid token for ${durationSeconds} s: ${round(ufRps, 0)} requests/s answered 2xx, ` +
        `latency p50 ${uf.latency.p50} ms, p99 ${uf.latency.p99} ms, max ${uf.latency.max} ms; answers ${statusSummary(uf.statusCodeStats)}` +
        (uf.errors + uf.timeouts > 0 ? `, socket errors ${uf.errors}, timeouts ${uf.timeouts}` : ''),
    );
    console.log(
      `flood client: ${floodRes.answered} answers in ${floodRes.seconds} s (${floodRes.answeredPerSecond}/s, p99 ${floodRes.p99Ms} ms): ` +
        `${Object.entries(floodRes.statusCodes)
          .map(([k, n]) => `${k}×${n}`)
          .join(', ')}` +
        (floodRes.errors + floodRes.timeouts > 0 ? `, socket errors ${floodRes.errors}, timeouts ${floodRes.timeouts}` : ''),
    );
    const problems: string[] = [];
    if (ufErrors > 0) {
      problems.push(
        `the valid client got ${ufErrors} answers other than 2xx under the flood (${statusSummary(uf.statusCodeStats)}; ` +
          `socket errors ${uf.errors}, timeouts ${uf.timeouts})`,
      );
    }
    if (flood429 === 0) problems.push('the flood never got a 429: the failed-authentication limit did not engage');

    const figures = {
      fullCrlSeconds: round(full.pub.seconds, 2),
      fullCrlPeakRssMb: full.peakRssMb,
      deltaCrlSeconds: round(del.pub.seconds, 3),
      statusRequestsPerSecond: round(rps, 0),
      statusP99Ms: res.latency.p99,
      statusUnderFloodRequestsPerSecond: round(ufRps, 0),
      statusUnderFloodP99Ms: uf.latency.p99,
    };
    const met = {
      fullCrlSeconds: figures.fullCrlSeconds <= TARGETS.fullCrlSeconds,
      fullCrlPeakRssMb: figures.fullCrlPeakRssMb <= TARGETS.fullCrlPeakRssMb,
      deltaCrlSeconds: figures.deltaCrlSeconds <= TARGETS.deltaCrlSeconds,
      statusRequestsPerSecond: figures.statusRequestsPerSecond >= TARGETS.statusRequestsPerSecond,
      statusP99Ms: figures.statusP99Ms <= TARGETS.statusP99Ms,
      statusUnderFloodRequestsPerSecond: figures.statusUnderFloodRequestsPerSecond >= TARGETS.statusRequestsPerSecond,
      statusUnderFloodP99Ms: figures.statusUnderFloodP99Ms <= TARGETS.statusP99Ms,
      statusUnderFloodAll2xx: ufErrors === 0,
    };
    console.log(
      `targets: ${Object.entries(met)
        .map(([k, ok]) => `${k} ${ok ? 'met' : 'MISSED'}`)
        .join(', ')}`,
    );
    console.log(`machine: ${machine.cores} cores, ${machine.totalMemoryGiB} GiB; data generated in ${gen.seconds.toFixed(1)} s`);
    finalJsonLine({
      bench: 'crl',
      opposedCards: cards,
      fullCrlEntries: fullEntries,
      fullCrlMb: round(full.pub.bytes / 1048576, 1),
      fullCrlSeconds: figures.fullCrlSeconds,
      fullCrlPeakRssMb: figures.fullCrlPeakRssMb,
      deltaCrlEntries: deltaEntries,
      deltaCrlSeconds: figures.deltaCrlSeconds,
      statusRequestsPerSecond: figures.statusRequestsPerSecond,
      statusP99Ms: figures.statusP99Ms,
      statusConnections: connections,
      statusUnderFloodRequestsPerSecond: figures.statusUnderFloodRequestsPerSecond,
      statusUnderFloodP99Ms: figures.statusUnderFloodP99Ms,
      statusUnderFlood2xx: uf2xx,
      statusUnderFloodAnswered: ufAnswered,
      statusUnderFloodStatusCodes: Object.fromEntries(Object.entries(uf.statusCodeStats).map(([k, v]) => [k, v.count])),
      statusUnderFloodErrors: ufErrors,
      floodConnections,
      floodAnsweredRequestsPerSecond: floodRes.answeredPerSecond,
      floodStatusCodes: floodRes.statusCodes,
      floodEngagedMs,
      targetsMet: Object.values(met).every(Boolean),
      crlFirstServeSeconds: round(serve.firstSeconds, 2),
      crlCachedServeMs: round(serve.cachedMs, 0),
      apiPeakRssMb: api.peakRssMb(),
      cores: machine.cores,
      memoryGiB: machine.totalMemoryGiB,
    });
    if (problems.length > 0) {
      process.stderr.write(`crl bench: ${problems.join('; ')}\n`);
      process.exitCode = 1;
    }
  } finally {
    await api?.stop();
    await pg?.end();
    await admin.end();
    if (!keep) await dropDatabase(benchUrl).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
