import { join } from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { cardNumberFromSequence } from '../../src/orders/card-number';
import { eventually, runCli, Service, startWorker } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');

/** The built processes take their clock from CLOCK_NOW (tests only): at 23:30 UTC their day is Paris's. */
describe('CLOCK_NOW=2026-11-30T23:30:00Z (00:30 in Paris) in the CLI and the worker', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let pg: Client;
  let redis: IORedis;
  let worker: Service | undefined;
  const ended = cardNumberFromSequence(910_001); // last valid day 2026-11-30
  const ending = cardNumberFromSequence(910_002); // last valid day 2026-12-01

  beforeAll(async () => {
    db = await createTestDb('clock');
    env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: testQueuePrefix('clock'),
      OUTBOX_RELAY_INTERVAL_MS: '100',
      CLOCK_NOW: '2026-11-30T23:30:00Z',
    };
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
    const holders: Array<{ nid: string; prof: string }> = (
      await pg.query(
        `SELECT p.national_id AS nid, p.profession_code AS prof FROM rpps_profession p
           JOIN rpps_professional r ON r.national_id = p.national_id WHERE r.ceased_at IS NULL ORDER BY 1, 2 LIMIT 2`,
      )
    ).rows;
    for (const [i, [n, end]] of [
      [ended, '2026-11-30'],
      [ending, '2026-12-01'],
    ].entries()) {
      await pg.query(
        `INSERT INTO card (card_number, card_type, generation, national_id, national_id_in_card, profession_code, valid_from, valid_until,
                           state, source)
         VALUES ($1, 'CPS', 'CPS3', $2, $2, $3, '2024-01-01', $4, 'active', 'order')`,
        [n, holders[i].nid, holders[i].prof, end],
      );
    }
  });
  afterAll(async () => {
    await worker?.stop();
    await pg?.end();
    redis?.disconnect();
    await db?.drop();
  });

  it('refuses CLOCK_NOW in production', async () => {
    const r = await runCli(['audit:verify', '--json'], { ...env, NODE_ENV: 'production' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/CLOCK_NOW=.*refused in production/);
  });

  it('has expiry:run take the Paris day 2026-12-01: the card that ended on 2026-11-30 is opposed, not the next one', async () => {
    // One of the two cards: half the base, past EXPIRY_MAX_SHARE, so confirmed at the host.
    const r = await runCli(['expiry:run', '--confirm-mass-change', '--json'], env);
    expect(r.code).toBe(0);
    expect(r.json).toEqual(expect.objectContaining({ status: 'applied', asOf: '2026-12-01', cardsExpired: 1, oppositionsCreated: 1 }));
    const [run] = (await pg.query(`SELECT result FROM job_run WHERE kind = 'expiry'`)).rows;
    expect(run.result).toEqual(expect.objectContaining({ asOf: '2026-12-01' }));
    const { rows } = await pg.query(`SELECT card_number, state FROM card ORDER BY valid_until`);
    expect(rows).toEqual([
      { card_number: ended, state: 'opposed' },
      { card_number: ending, state: 'active' },
    ]);
  });

  it("has the worker's daily renewal sweep (the scheduler's job at 00:30 Paris) count from 2026-12-01", async () => {
    worker = startWorker(env);
    const queue = new Queue('renewals', { connection: redis, prefix: env.QUEUE_PREFIX });
    try {
      await queue.add('renewals.run', {});
    } finally {
      await queue.close();
    }
    const run = await eventually(
      async () =>
        (await pg.query(`SELECT state, result FROM job_run WHERE kind = 'renewals' AND state = 'succeeded'`)).rows[0] as
          | { result: { asOf: string; cardsDue: number } }
          | undefined,
      60_000,
      `the renewal sweep (worker output: ${worker.output().slice(-2000)})`,
    );
    expect(run.result).toEqual(expect.objectContaining({ asOf: '2026-12-01', cardsDue: 2 }));
  });
});
