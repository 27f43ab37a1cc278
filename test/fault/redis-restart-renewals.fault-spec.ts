import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { generateRenewalBase } from '../../bench/generators/renewal-base-generator';
import { reportConvergence } from '../support/fault';
import { PrivateRedis, startPrivateRedis } from '../support/private-services';
import { eventually, runCli, Service, startWorker } from '../support/processes';
import { createTestDb, TestDb, testQueuePrefix } from '../support/services';

/**
 * Issue 8, must-show 3: Redis restarted during a renewal sweep. The worker runs the daily
 * sweep's job (the scheduler's, added by hand) over a card base big enough to take a few
 * seconds; its private redis-server (no persistence: the job and its lock are lost) is stopped
 * and started again while the sweep makes its orders. The sweep ends with exactly the orders
 * an undisturbed run makes (one renewal per due card, as `npm run bench -- renewals` checks),
 * and the worker goes on taking jobs.
 */
const AS_OF = '2026-11-26';
const CARDS = 60_000;
const DUE = 30_000;

describe('fault: Redis restarted during the renewal sweep of the worker', () => {
  let redis: PrivateRedis;
  let db: TestDb;
  let pg: Client;
  let env: Record<string, string>;
  let worker: Service | undefined;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    db = await createTestDb('fault-redis-renewals');
    env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: testQueuePrefix('fault-redis-renewals'),
      OUTBOX_RELAY_INTERVAL_MS: '100',
      // the worker's "today" is the day the base was generated for
      CLOCK_NOW: `${AS_OF}T09:00:00Z`,
    };
    pg = new Client({ connectionString: db.url });
    pg.on('error', () => undefined);
    await pg.connect();
    await generateRenewalBase(pg, { cards: CARDS, due: DUE, lostLookingDue: 2_000, asOf: AS_OF });
    await pg.query('ANALYZE');
  });
  afterAll(async () => {
    await worker?.stop();
    await pg?.end();
    await db?.drop();
    await redis?.destroy();
  });

  /** Adds the daily sweep's job, as the worker's job scheduler does at its hour. */
  const addSweepJob = async () => {
    const connection = new IORedis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue('renewals', { connection, prefix: env.QUEUE_PREFIX });
    try {
      await queue.add('renewals.run', {});
    } finally {
      await queue.close();
      connection.disconnect();
    }
  };
  const sweeps = async () =>
    (
      await pg.query(
        `SELECT state, phase, progress::float8 AS progress, total::float8 AS total, result FROM job_run WHERE kind = 'renewals' ORDER BY created_at`,
      )
    ).rows as Array<{ state: string; phase: string | null; progress: number; total: number | null; result: any }>;

  it('ends the sweep with one renewal order per due card, none twice, and the worker takes the next job', async () => {
    worker = startWorker(env);
    await addSweepJob();
    // Mid-sweep: some orders made, not all.
    await eventually(
      async () => {
        const [s] = await sweeps();
        return s?.state === 'running' && s.phase === 'ordering' && s.progress > 0 && s.progress < DUE;
      },
      60_000,
      `the sweep to be making its orders (worker output: ${worker.output().slice(-2000)})`,
    );
    const ordersAtRestart = (await pg.query(`SELECT count(*)::int AS n FROM card_order`)).rows[0].n as number;
    const t0 = Date.now();
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();

    const [done] = await eventually(
      async () => {
        const s = await sweeps();
        return s[0]?.state === 'succeeded' ? s : undefined;
      },
      120_000,
      `the sweep to end (worker output: ${worker.output().slice(-2000)})`,
    );
    reportConvergence('redis-restart during the renewal sweep', t0, `${ordersAtRestart} of ${DUE} orders made at the restart`);
    expect(ordersAtRestart).toBeLessThan(DUE);
    expect(done.result).toEqual(expect.objectContaining({ asOf: AS_OF, cardsDue: DUE, ordersCreated: DUE, alreadyOpen: 0 }));

    // Exactly the orders of an undisturbed sweep: one renewal, approved by policy, for each of the due cards.
    const orders = await pg.query(
      `SELECT count(*)::int AS n, count(DISTINCT replaces_card)::int AS cards,
              count(*) FILTER (WHERE reason = 'renewal' AND status = 'approved' AND approved_by = 'policy')::int AS renewals,
              min(replaces_card) AS first, max(replaces_card) AS last FROM card_order`,
    );
    expect(orders.rows[0]).toEqual({
      n: DUE,
      cards: DUE,
      renewals: DUE,
      first: String(2_900_000_001).padStart(10, '0'),
      last: String(2_900_000_000 + DUE).padStart(10, '0'),
    });
    expect((await pg.query(`SELECT count(*)::int AS n FROM renewal_run WHERE finished_at IS NOT NULL`)).rows[0].n).toBe(1);
    expect(
      (await pg.query(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'renewal\\_due\\_%'`)).rows,
    ).toEqual([]);

    // The worker survived the restart: it takes the next sweep's job, which creates nothing twice.
    expect(worker.child.exitCode).toBeNull();
    await addSweepJob();
    const again = await eventually(
      async () => {
        const s = await sweeps();
        return s.length === 2 && s[1].state === 'succeeded' ? s[1] : undefined;
      },
      60_000,
      `the second sweep (worker output: ${worker.output().slice(-2000)})`,
    );
    expect(again.result).toEqual(expect.objectContaining({ cardsDue: DUE, ordersCreated: 0, alreadyOpen: DUE }));
    expect((await pg.query(`SELECT count(*)::int AS n FROM card_order`)).rows[0].n).toBe(DUE);
    // (the CLI's sweep agrees: nothing left to order)
    const cli = await runCli(['renewals:run', '--as-of', AS_OF, '--json'], env);
    expect(cli.json).toEqual(expect.objectContaining({ cardsDue: DUE, ordersCreated: 0 }));
  });
});
