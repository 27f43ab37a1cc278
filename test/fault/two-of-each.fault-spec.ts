import { Client } from 'pg';
import { reportConvergence } from '../support/fault';
import { PrivateRedis, startPrivateRedis } from '../support/private-services';
import { eventually, runCli, Service, startApi, startWorker } from '../support/processes';
import { expectedDay2, expectUndisturbedDay2, fixtures, registryEffects, unconsumedEvents } from '../support/registry-effects';
import { createTestDb, TestDb, testQueuePrefix } from '../support/services';

/**
 * Issue 8, must-show 3 (item 9): two APIs and two workers on the same database and Redis
 * (a private redis-server) behave as one. At once: every card of a set declared lost four
 * times (twice through each API), the registry's day 2 imported (its events consumed by
 * either worker), and full CRLs published by hand. Then: one opposition and one replacement
 * per card, the day-2 orders once, each event consumed once, and the CRL numbers one
 * sequence without gap or duplicate, whose last CRLs cover every opposition.
 */
const CARDS = 8;

describe('fault: two APIs and two workers at once on one database and Redis', () => {
  let redis: PrivateRedis;
  let db: TestDb;
  let pg: Client;
  const services: Service[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    db = await createTestDb('fault-two-of-each');
    pg = new Client({ connectionString: db.url });
    pg.on('error', () => undefined);
    await pg.connect();
  });
  afterAll(async () => {
    for (const s of services) if (s.child.exitCode === null && s.child.signalCode === null) await s.stop();
    await pg?.end();
    await db?.drop();
    await redis?.destroy();
  });

  it('makes no duplicated order, opposition, CRL number or consumption', async () => {
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: testQueuePrefix('fault-two-of-each'),
      OUTBOX_RELAY_INTERVAL_MS: '100',
      CRL_DELTA_DELAY_MS: '200',
      CRL_REFRESH_SECONDS: '1',
    };
    expect((await runCli(['rpps:import', fixtures.day1, '--json'], env)).code).toBe(0);
    expect((await runCli(['cards:import', fixtures.holders, '--json'], env)).code).toBe(0);
    const token = (await runCli(['tokens:create', '--role', 'helpdesk', '--name', 'hd', '--json'], env)).json.token as string;
    const day2Holders = [...expectedDay2.ceased, ...expectedDay2.new, ...expectedDay2.site_changed, ...expectedDay2.identity_changed];
    const cards = (
      await pg.query(
        `SELECT card_number FROM card WHERE state = 'active' AND valid_until >= now() + interval '1 year'
            AND NOT (national_id = ANY($1)) ORDER BY card_number LIMIT $2`,
        [day2Holders, CARDS],
      )
    ).rows.map((r) => r.card_number as string);
    expect(cards).toHaveLength(CARDS);
    const ceasedCards = (
      await pg.query(`SELECT count(*)::int AS n FROM card WHERE national_id = ANY($1) AND state <> 'opposed'`, [expectedDay2.ceased])
    ).rows[0].n as number;
    expect(ceasedCards).toBeGreaterThan(0);

    services.push(startWorker(env), startWorker(env));
    const apis = await Promise.all([startApi(env), startApi(env)]);
    services.push(...apis);
    await eventually(
      async () => (await pg.query(`SELECT count(*)::int AS n FROM crl_publication WHERE kind = 'full'`)).rows[0].n > 0,
      60_000,
      'the first full CRL',
    );

    const t0 = Date.now();
    const declare = (api: { url: string }, card: string) =>
      fetch(`${api.url}/api/v1/cards/${card}/oppositions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'loss', channel: 'phone', verification: 'caller named the card' }),
      }).then((r) => r.status);
    const [statuses, imported, ...published] = await Promise.all([
      Promise.all(cards.flatMap((c) => [declare(apis[0], c), declare(apis[1], c), declare(apis[0], c), declare(apis[1], c)])),
      runCli(['rpps:import', fixtures.day2, '--json'], env),
      runCli(['crl:publish', '--json'], env),
      runCli(['crl:publish', '--json'], env),
    ]);
    // One declaration per card opposes it (201); the others give that opposition back (200).
    for (let i = 0; i < CARDS; i++) expect(statuses.slice(4 * i, 4 * i + 4).sort()).toEqual([200, 200, 200, 201]);
    expect(imported.json?.status).toBe('applied');
    for (const p of published) expect(p.code).toBe(0);

    const oppositions = async () => (await pg.query(`SELECT count(*)::int AS n FROM opposition WHERE source <> 'import'`)).rows[0].n;
    const covered = async () =>
      (await pg.query(`SELECT (SELECT max(watermark) FROM crl_publication) >= (SELECT max(id) FROM opposition) AS ok`)).rows[0].ok;
    await eventually(
      async () =>
        (await unconsumedEvents(pg)) === 0 &&
        (await pg.query(`SELECT count(*)::int AS n FROM outbox WHERE consumed_at IS NULL`)).rows[0].n === 0 &&
        (await oppositions()) === CARDS + ceasedCards &&
        (await covered()),
      90_000,
      'the events consumed, the cards opposed and a CRL covering every opposition',
    );
    const converged = Date.now();

    // Oppositions: one per card; a replacement ordered once per declared card.
    expect((await pg.query(`SELECT card_number FROM opposition GROUP BY card_number HAVING count(*) > 1`)).rows).toEqual([]);
    const declared = (await pg.query(`SELECT card_number, replacement_order_id FROM opposition WHERE source = 'helpdesk' ORDER BY 1`)).rows;
    expect(declared.map((d) => d.card_number)).toEqual(cards);
    const replacements = (await pg.query(`SELECT id, replaces_card FROM card_order WHERE reason = 'replacement' ORDER BY replaces_card`))
      .rows;
    expect(replacements.map((r) => r.replaces_card)).toEqual(cards);
    expect(new Set(declared.map((d) => d.replacement_order_id))).toEqual(new Set(replacements.map((r) => r.id)));
    // The day-2 orders, once; each event consumed once.
    const effects = await registryEffects(pg);
    expectUndisturbedDay2({ ...effects, orders: effects.orders.filter((o) => !o.startsWith('replacement ')) });
    expect((await pg.query(`SELECT count(*)::int AS n FROM consumed_registry_event`)).rows[0].n).toBe(4);
    expect(
      (
        await pg.query(
          `SELECT national_id, profession_code, card_type, reason, replaces_card FROM card_order
            GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1`,
        )
      ).rows,
    ).toEqual([]);
    // CRL numbers: 1..n, no gap, no duplicate; each delta on a full CRL published before it.
    const crls = (
      await pg.query(
        `SELECT crl_number::int AS n, kind, base_crl_number::int AS base, watermark::int AS w FROM crl_publication ORDER BY crl_number`,
      )
    ).rows as Array<{ n: number; kind: string; base: number | null; w: number }>;
    expect(crls.map((c) => c.n)).toEqual(crls.map((_, i) => i + 1));
    for (const c of crls.filter((x) => x.kind === 'delta')) {
      expect(crls.find((f) => f.n === c.base)).toEqual(expect.objectContaining({ kind: 'full' }));
      expect(c.base).toBeLessThan(c.n);
    }
    for (let i = 1; i < crls.length; i++) expect(crls[i].w).toBeGreaterThanOrEqual(crls[i - 1].w);
    expect(crls.filter((c) => c.kind === 'full').length).toBeGreaterThanOrEqual(3); // the worker's first, and the two by hand
    for (const s of services) expect(s.child.exitCode).toBeNull();
    const kinds = crls.map((c) => c.kind[0]).join('');
    reportConvergence('two APIs and two workers', t0, `CRLs published, f = full, d = delta: ${kinds}`, converged);
  });
});
