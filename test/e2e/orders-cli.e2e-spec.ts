import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');
const expected = JSON.parse(readFileSync(`${holders}.expected.json`, 'utf8'));

describe('cards:import then renewals:run (the CLI)', () => {
  let db: TestDb;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createTestDb('orders-cli');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('orders-cli') };
    expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
  });
  afterAll(async () => db?.drop());

  it('imports the card base, then orders exactly the renewals due, and nothing on a second run', async () => {
    const imp = await runCli(['cards:import', holders, '--json'], env);
    expect(imp.code).toBe(0);
    expect(imp.json).toEqual({ rowsRead: expected.cards, cardsCreated: expected.cards, cardsUpdated: 0, rowsRejected: 0, rejects: [] });
    const first = await runCli(['renewals:run', '--as-of', expected.asOf, '--json'], env);
    expect(first.code).toBe(0);
    expect(first.json).toEqual(
      expect.objectContaining({ cardsDue: expected.renewalsDue, ordersCreated: expected.renewalsDue, alreadyOpen: 0 }),
    );
    const second = await runCli(['renewals:run', '--as-of', expected.asOf, '--json'], env);
    expect(second.json).toEqual(expect.objectContaining({ cardsDue: expected.renewalsDue, ordersCreated: 0 }));
  });

  it('exits 2 on a card file missing a required column, committing nothing', async () => {
    const r = await runCli(['cards:import', day1, '--json'], env);
    expect(r.code).toBe(2);
    expect(r.json.error.message).toMatch(/Numéro carte/);
  });
});
