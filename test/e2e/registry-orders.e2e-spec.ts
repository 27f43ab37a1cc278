import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { eventually, runCli, Service, startWorker } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const day2 = join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');
const expected = JSON.parse(readFileSync(`${day2}.expected.json`, 'utf8')) as Record<string, string[]>;

describe('registry events to orders, through the outbox, BullMQ and the worker', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let worker: Service;
  let pg: Client;

  beforeAll(async () => {
    db = await createTestDb('registry-orders');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('registry-orders'), OUTBOX_RELAY_INTERVAL_MS: '100' };
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
    expect((await runCli(['cards:import', holders, '--json'], env)).code).toBe(0);
    worker = startWorker(env);
  });
  afterAll(async () => {
    await worker?.stop();
    await pg?.end();
    await db?.drop();
  });

  it('orders a first card for each newcomer and a new card for each changed holder of a valid card', async () => {
    const r = await runCli(['rpps:import', day2, '--json'], env);
    expect(r.json.status).toBe('applied');
    const events = (await pg.query(`SELECT count(*)::int AS n FROM rpps_event`)).rows[0].n as number;
    await eventually(
      async () => (await pg.query(`SELECT count(*)::int AS n FROM consumed_registry_event`)).rows[0].n === events,
      60_000,
      'the worker to consume every registry event',
    );
    const orders = (await pg.query(`SELECT national_id, reason, status, replaces_card, approved_by FROM card_order ORDER BY national_id`))
      .rows;
    const firstIssue = orders.filter((o) => o.reason === 'first-issue').map((o) => o.national_id);
    expect(firstIssue).toEqual([...expected.new].sort());
    const contentChange = orders.filter((o) => o.reason === 'content-change');
    expect(contentChange.map((o) => o.national_id).sort()).toEqual([...expected.site_changed, ...expected.identity_changed].sort());
    for (const o of contentChange) expect(o.replaces_card).toMatch(/^\d{10}$/);
    expect(orders).toHaveLength(firstIssue.length + contentChange.length);
    for (const o of orders) expect(o).toEqual(expect.objectContaining({ status: 'approved', approved_by: 'policy' }));
  });

  it('hands the cards of a ceased professional to opposition', async () => {
    const req = (
      await pg.query(
        `SELECT r.reason, r.source, c.national_id FROM opposition_request r JOIN card c ON c.card_number = r.card_number
        WHERE r.source <> 'import'`,
      )
    ).rows;
    expect(req).toEqual(expected.ceased.map((nid) => ({ reason: 'cessation', source: 'registry', national_id: nid })));
    // ... and the worker's opposition module opposes them
    const opposed = await eventually(
      async () => {
        const rows = (
          await pg.query(
            `SELECT c.national_id, c.state, o.reason, o.source FROM opposition o JOIN card c ON c.card_number = o.card_number
          WHERE o.source = 'registry'`,
          )
        ).rows;
        return rows.length === expected.ceased.length ? rows : undefined;
      },
      30_000,
      'the cessation oppositions',
    );
    expect(opposed).toEqual(
      expected.ceased.map((nid) => ({ national_id: nid, state: 'opposed', reason: 'cessation', source: 'registry' })),
    );
  });

  it('consumes each event once, even when its job is delivered again', async () => {
    const { rows } = await pg.query(`SELECT count(*)::int AS n FROM card_order`);
    const before = rows[0].n;
    // Relay every outbox row again, as a crash between add and mark would: same job ids, nothing new.
    await pg.query(`UPDATE outbox SET published_at = NULL`);
    await eventually(
      async () => (await pg.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`)).rows[0].n === 0,
      30_000,
      'the relay',
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect((await pg.query(`SELECT count(*)::int AS n FROM card_order`)).rows[0].n).toBe(before);
  });
});
