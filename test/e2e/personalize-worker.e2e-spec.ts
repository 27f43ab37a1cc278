import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/common/database/data-source.factory';
import { appDataSourceParts } from '../../src/data-source-parts';
import type { CardCodes } from '../../src/mailing/code-vault.service';
import { codeLeakNames, codeLeakPatterns, findCodeLeaks, plantedCodeForms } from '../support/code-leaks';
import { apiCaller, createToken } from '../support/http';
import { eventually, runCli, Service, startApi, startWorker } from '../support/processes';
import { dumpRedis } from '../support/redis-dump';
import { createTestDb, REDIS_URL, type TestDb, testDataDir, testQueuePrefix } from '../support/services';
import { testVault } from '../support/vault';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');
const expected = JSON.parse(readFileSync(`${holders}.expected.json`, 'utf8'));
/** Two professionals of day 1 whose cards (imported afterwards) are not due for renewal. */
const FIRST_ISSUES = [
  { nationalId: '810000000355', professionCode: '80' },
  { nationalId: '810000001601', professionCode: '40' },
];

/**
 * Approved orders (two first issues approved over the API by a second operator, a renewal
 * sweep) reach the worker's simulated encoder station through the outbox and the vault, with
 * no code left in clear anywhere; two workers never personalize one order twice.
 */
describe('the worker personalizes approved orders (ENCODER_DRIVER=simulated)', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let prefix: string;
  let api: Service & { url: string };
  const workers: Service[] = [];
  let pg: Client;
  let redis: IORedis;
  let ds: DataSource;
  const cliLogs: string[] = [];
  const tokens: Record<string, string> = {};
  /** The orders personalized so far (the secrets are searched for all of them, once both workers ran). */
  let personalized = 0;
  const call = apiCaller(() => api.url, tokens);

  const cli = async (args: string[]) => {
    const r = await runCli(args, env);
    cliLogs.push(r.stdout, r.stderr);
    if (r.code !== 0) throw new Error(`${args.join(' ')}: exit ${r.code}: ${r.stdout}${r.stderr}`);
    return r.json;
  };
  const count = async (sql: string): Promise<number> => (await pg.query(sql)).rows[0].n;
  /** Until no order waits for a card (approved or being written); the personalized orders then. */
  const allPersonalized = (what: string) =>
    eventually(
      async () =>
        (await count(`SELECT count(*)::int AS n FROM card_order WHERE status IN ('approved', 'personalizing')`)) === 0 &&
        count(`SELECT count(*)::int AS n FROM card_order WHERE status = 'personalized'`),
      60_000,
      what,
    );
  const stations = async () => {
    const r = await call('GET', '/api/v1/encoders', 'alice');
    expect(r.status).toBe(200);
    return (await r.json()).items as Array<{ id: string; reader: string; processId: string | null; state: string; cardsDone: number }>;
  };
  const stationOf = async (w: Service) => (await stations()).filter((s) => s.processId?.includes(`:${w.child.pid}:`));
  const approve = async (id: string) => {
    const r = await call('POST', `/api/v1/orders/${id}/approve`, 'bob');
    expect([r.status, (await r.json()).status]).toEqual([200, 'approved']);
  };
  const order = async (nationalId: string, professionCode: string, reason: string) =>
    call('POST', '/api/v1/orders', 'alice', { nationalId, professionCode, cardType: 'CPS', reason });

  beforeAll(async () => {
    db = await createTestDb('personalize-worker');
    prefix = testQueuePrefix('personalize-worker');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix, OUTBOX_RELAY_INTERVAL_MS: '100', LOG_LEVEL: 'debug' };
    api = await startApi(env);
    workers.push(startWorker({ ...env, ENCODER_DRIVER: 'simulated' }));
    for (const who of ['alice', 'bob']) tokens[who] = (await createToken(env, 'operator', who)).token;
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    ds = await new DataSource(dataSourceOptions(appDataSourceParts(db.url, 'test-personalize-worker'))).initialize();
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await api?.stop();
    await ds?.destroy();
    await pg?.end();
    redis?.disconnect();
    await db?.drop();
  });

  it('personalizes orders approved over the API (four eyes) and by a renewal sweep; the card shows its chip, the station its cards', async () => {
    await cli(['rpps:import', day1, '--json']);
    for (const p of FIRST_ISSUES) {
      const r = await order(p.nationalId, p.professionCode, 'first-issue');
      expect(r.status).toBe(201);
      await approve((await r.json()).id);
    }
    await cli(['cards:import', holders, '--json']);
    expect(await cli(['renewals:run', '--as-of', expected.asOf, '--json'])).toEqual(
      expect.objectContaining({ ordersCreated: expected.renewalsDue }),
    );
    const ordered = FIRST_ISSUES.length + expected.renewalsDue;
    expect(await count(`SELECT count(*)::int AS n FROM card_order`)).toBe(ordered);

    personalized = await allPersonalized('the worker to personalize every approved order');
    expect(personalized).toBe(ordered);
    // Both kinds of approval went through the outbox to the vault: one message per API approval, one for the sweep's chunk.
    const messages = await pg.query(
      `SELECT jsonb_array_length(payload->'orderIds')::int AS n, consumed_at IS NOT NULL AS consumed
         FROM outbox WHERE topic = 'orders.approved' ORDER BY 1`,
    );
    expect(messages.rows).toEqual([...FIRST_ISSUES.map(() => ({ n: 1, consumed: true })), { n: expected.renewalsDue, consumed: true }]);

    const cards = await (await call('GET', `/api/v1/cards?nationalId=${FIRST_ISSUES[0].nationalId}`, 'alice')).json();
    const made = cards.items.filter((c: { chipSerial: string | null }) => c.chipSerial);
    expect(made).toEqual([expect.objectContaining({ state: 'personalized', chipSerial: expect.stringMatching(/^\S+$/) })]);
    const [row] = (
      await pg.query(
        `SELECT c.card_number AS "cardNumber", c.chip_serial AS "chipSerial" FROM card c JOIN card_order o ON o.id = c.order_id
                       WHERE o.national_id = $1`,
        [FIRST_ISSUES[0].nationalId],
      )
    ).rows;
    expect(made[0]).toEqual(expect.objectContaining(row));

    const own = await stationOf(workers[0]);
    expect(own).toEqual([expect.objectContaining({ state: expect.not.stringMatching(/offline|error/), cardsDone: ordered })]);
  });

  it('never personalizes one order twice with two workers running stations', async () => {
    workers.push(startWorker({ ...env, ENCODER_DRIVER: 'simulated' }));
    const [first, second] = workers;
    await eventually(async () => (await stationOf(second)).length === 1, 60_000, "the second worker's station");
    // Each worker runs a station of its own (the simulated reader is named after its process).
    const [a] = await stationOf(first);
    const [b] = await stationOf(second);
    expect(a.id).not.toBe(b.id);

    const before = await count(`SELECT count(*)::int AS n FROM card_order WHERE status = 'personalized'`);
    const pairs = (
      await pg.query(`SELECT DISTINCT national_id AS "nationalId", profession_code AS "professionCode" FROM rpps_profession
                        ORDER BY 1, 2`)
    ).rows as Array<{ nationalId: string; professionCode: string }>;
    const ids: string[] = [];
    for (const p of pairs) {
      const r = await order(p.nationalId, p.professionCode, 'manual');
      if (r.status === 201) ids.push((await r.json()).id);
      else expect(r.status).toBe(409); // an order already open for that card
    }
    expect(ids.length).toBeGreaterThanOrEqual(25);
    await Promise.all(ids.map(approve));

    const total = before + ids.length;
    personalized = await allPersonalized('both workers to personalize every approved order');
    expect(personalized).toBe(total);
    const [c] = (
      await pg.query(`SELECT count(*)::int AS cards, count(DISTINCT order_id)::int AS orders, count(DISTINCT chip_serial)::int AS chips,
                             count(DISTINCT card_number)::int AS numbers
                        FROM card WHERE source = 'order'`)
    ).rows;
    expect(c).toEqual({ cards: total, orders: total, chips: total, numbers: total });
    expect(
      await count(`SELECT count(*)::int AS n FROM card_order o WHERE status = 'personalized'
                          AND (SELECT count(*) FROM card WHERE order_id = o.id) <> 1`),
    ).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'order.personalized'`)).toBe(total);
    const done = (await stations()).filter((s) => [a.id, b.id].includes(s.id)).reduce((n, s) => n + s.cardsDone, 0);
    expect(done).toBe(total);
    // A second worker writing an order already taken would lose its claim and spoil its card: no card failed, none was spoiled.
    expect(await count(`SELECT count(*)::int AS n FROM spoiled_card`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'order.claim-lost'`)).toBe(0);
    const failed = await pg.query(`SELECT id, cards_failed AS failed FROM encoder_station WHERE id = ANY($1) ORDER BY id`, [[a.id, b.id]]);
    expect(failed.rows).toEqual([a.id, b.id].sort().map((id) => ({ id, failed: 0 })));
  });

  it('leaves no code of a personalized order in clear in a dump of the database, in any Redis key or job, or in the logs', async () => {
    const vault = testVault(ds, { dataDir: testDataDir(db.name) });
    const orderIds: string[] = (await pg.query(`SELECT id FROM card_order WHERE status = 'personalized' ORDER BY id`)).rows.map(
      (r: { id: string }) => r.id,
    );
    expect(orderIds.length).toBe(personalized);
    // the codes read below are those the cards were written with (drawn at approval), not drawn now by this test
    const { rows: sealed } = await pg.query(`SELECT count(*)::int AS n FROM order_codes WHERE order_id = ANY($1)`, [orderIds]);
    expect(sealed[0].n).toBe(personalized);
    const codes: CardCodes[] = [];
    for (const id of orderIds) codes.push(await vault.codesForPersonalization(id));

    const dump = execFileSync('pg_dump', ['--inserts', db.url], { maxBuffer: 256 * 1024 * 1024 }).toString('latin1');
    const queue = await dumpRedis(redis, prefix);
    expect(queue.text).toMatch(/:mailing:[^ ]+ \(hash\) .*orders\.approved/); // the vault's jobs are in the dump
    const logs = [...workers.map((w) => w.output()), api.output(), ...cliLogs].join('\n');
    expect(logs).toMatch(/"level":"info".*"msg":"card personalized"/); // the stations' own lines were written, and are searched
    // The access log's response headers hold byte counts as quoted strings ("content-length":"1057"): about 30 of them
    // would match some PIN of 45 one run in six. They are masked; nothing else is.
    const searchedLogs = logs.replace(/"content-length":"[0-9]+"/g, '"content-length":"N"');
    const places = { 'the database dump': dump, Redis: queue.text, 'the logs': searchedLogs };
    const found: string[] = [];
    for (const c of codes) {
      for (const [where, text] of Object.entries(places)) for (const leak of findCodeLeaks(text, c)) found.push(`${leak} in ${where}`);
      // The search finds each form it looks for when it is there.
      expect(codeLeakNames(findCodeLeaks(`${dump}${plantedCodeForms(c)}`, c))).toEqual(codeLeakPatterns(c).map(([name]) => name));
    }
    expect(found).toEqual([]);
  });
});
