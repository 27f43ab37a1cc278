import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/common/database/data-source.factory';
import { appDataSourceParts } from '../../src/data-source-parts';
import { isOurCardNumber } from '../../src/orders/card-number';
import { findCodeLeaks } from '../support/code-leaks';
import { runCli } from '../support/processes';
import { createTestDb, REDIS_URL, type TestDb, testDataDir, testQueuePrefix } from '../support/services';
import { testVault } from '../support/vault';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');
const expected = JSON.parse(readFileSync(`${holders}.expected.json`, 'utf8'));

type Run = {
  cardsPersonalized: number;
  cardsSpoiled: number;
  cardsRefused: number;
  results: Array<{ orderId: string; cardNumber: string; chipSerial: string; reader: string }>;
};

/** personalize:run on the simulated encoder, through the built CLI, on the renewals of the fixtures' card base. */
describe('personalize:run (simulated encoder)', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let ds: DataSource;
  const logs: string[] = [];

  beforeAll(async () => {
    db = await createTestDb('personalize');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('personalize'), ENCODER_DRIVER: 'simulated' };
    expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
    expect((await runCli(['cards:import', holders, '--json'], env)).code).toBe(0);
    const renewals = await runCli(['renewals:run', '--as-of', expected.asOf, '--json'], env);
    expect(renewals.json).toEqual(expect.objectContaining({ ordersCreated: expected.renewalsDue }));
    ds = await new DataSource(dataSourceOptions(appDataSourceParts(db.url, 'test-personalize'))).initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('personalizes up to --limit cards, then the rest, then finds nothing left; each card bound to its chip', async () => {
    const first = await runCli(['personalize:run', '--limit', '4', '--json'], env);
    logs.push(first.stderr);
    expect(first.code).toBe(0);
    const r1 = first.json as Run;
    expect([r1.cardsPersonalized, r1.cardsSpoiled, r1.cardsRefused]).toEqual([4, 0, 0]);
    const rest = await runCli(['personalize:run', '--json'], env);
    logs.push(rest.stderr);
    const r2 = rest.json as Run;
    expect(r2.cardsPersonalized).toBe(expected.renewalsDue - 4);
    const none = await runCli(['personalize:run', '--json'], env);
    expect([none.code, (none.json as Run).cardsPersonalized]).toEqual([0, 0]);

    const results = [...r1.results, ...r2.results];
    expect(new Set(results.map((r) => r.chipSerial)).size).toBe(results.length);
    expect(results.every((r) => isOurCardNumber(r.cardNumber) && /^Simulated encoder \(pid \d+\) 1$/.test(r.reader))).toBe(true);
    const cards = await ds.query(
      `SELECT c.card_number, c.chip_serial, c.state, c.order_id, o.status, c.replaces_card = o.replaces_card AS same_replaced
         FROM card c JOIN card_order o ON o.id = c.order_id WHERE c.source = 'order' ORDER BY c.card_number`,
    );
    expect(cards).toHaveLength(expected.renewalsDue);
    for (const r of results) {
      expect(cards).toContainEqual({
        card_number: r.cardNumber,
        chip_serial: r.chipSerial,
        state: 'personalized',
        order_id: r.orderId,
        status: 'personalized',
        same_replaced: true,
      });
    }
    const audit = await ds.query(`SELECT action, count(*)::int AS n FROM audit_log WHERE action LIKE '%personaliz%' GROUP BY action`);
    expect(audit).toEqual(
      expect.arrayContaining([
        { action: 'card.personalize', n: expected.renewalsDue },
        { action: 'order.personalized', n: expected.renewalsDue },
      ]),
    );
  });

  it('leaves no code in clear in a dump of the database or in the logs', async () => {
    const vault = testVault(ds, { dataDir: testDataDir(db.name) });
    const orderIds: string[] = (await ds.query(`SELECT order_id FROM card WHERE source = 'order'`)).map(
      (r: { order_id: string }) => r.order_id,
    );
    expect(orderIds).toHaveLength(expected.renewalsDue);
    // the codes read below are those the cards were written with (drawn then), not drawn now by this test
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM order_codes WHERE order_id = ANY($1)`, [orderIds]);
    expect(n).toBe(expected.renewalsDue);
    const dump = execFileSync('pg_dump', ['--inserts', db.url], { maxBuffer: 256 * 1024 * 1024 }).toString('latin1');
    const places = { 'the database dump': dump, 'the logs': logs.join('\n') };
    const found: string[] = [];
    for (const id of orderIds) {
      const codes = await vault.codesForPersonalization(id);
      for (const [where, text] of Object.entries(places)) for (const leak of findCodeLeaks(text, codes)) found.push(`${leak} in ${where}`);
    }
    expect(found).toEqual([]);
  });
});
