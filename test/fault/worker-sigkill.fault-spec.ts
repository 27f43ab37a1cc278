import { Client } from 'pg';
import { reportConvergence } from '../support/fault';
import { PrivateRedis, startPrivateRedis } from '../support/private-services';
import { eventually, runCli, Service, startWorker } from '../support/processes';
import {
  expectedDay2,
  expectUndisturbedDay2,
  fixtures,
  registryEffects,
  sessionsWaitingOnLocks,
  unconsumedEvents,
} from '../support/registry-effects';
import { createTestDb, TestDb, testQueuePrefix } from '../support/services';

/**
 * Issue 8, must-show 3: a worker killed with SIGKILL in the middle of a job. The worker
 * consumes the registry events of day 2: three are consumed, and the cessation's consumer is
 * halfway through its transaction (its consumption recorded, its opposition requests waiting
 * on a table lock the test holds) when the worker is killed. A second worker finishes: the
 * ceased holder's cards are opposed once, the orders made once, as in an undisturbed run.
 * (The killed jobs come back when their BullMQ lock expires: QUEUE_JOB_LOCK_MS makes it 10 s here
 * instead of 60 s, the stalled-job check running every 5 s; convergence takes 10 to 15 s.)
 */
describe('fault: a worker killed with SIGKILL while it consumes registry events', () => {
  let redis: PrivateRedis;
  let db: TestDb;
  let pg: Client;
  let blocker: Client | undefined;
  const services: Service[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    db = await createTestDb('fault-worker-kill');
    pg = new Client({ connectionString: db.url });
    pg.on('error', () => undefined);
    await pg.connect();
  });
  afterAll(async () => {
    for (const s of services) if (s.child.exitCode === null && s.child.signalCode === null) await s.stop();
    await blocker?.end().catch(() => undefined);
    await pg?.end();
    await db?.drop();
    await redis?.destroy();
  });

  it('has a second worker finish the interrupted job: cards opposed and orders made exactly once', async () => {
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: testQueuePrefix('fault-worker-kill'),
      OUTBOX_RELAY_INTERVAL_MS: '100',
      OUTBOX_REDELIVERY_SECONDS: '2',
      QUEUE_JOB_LOCK_MS: '10000',
    };
    expect((await runCli(['rpps:import', fixtures.day1, '--json'], env)).code).toBe(0);
    expect((await runCli(['cards:import', fixtures.holders, '--json'], env)).code).toBe(0);
    const ceasedCards = (
      await pg.query(`SELECT card_number FROM card WHERE national_id = ANY($1) AND state <> 'opposed'`, [expectedDay2.ceased])
    ).rows.length;
    expect(ceasedCards).toBeGreaterThan(0);

    // Opposition requests wait (the other events' orders do not).
    blocker = new Client({ connectionString: db.url });
    blocker.on('error', () => undefined);
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE opposition_request IN EXCLUSIVE MODE');

    const first = startWorker(env);
    services.push(first);
    expect((await runCli(['rpps:import', fixtures.day2, '--json'], env)).json.status).toBe('applied');
    await eventually(
      async () => (await unconsumedEvents(pg)) === 1 && (await sessionsWaitingOnLocks(pg)) >= 1,
      60_000,
      'three events consumed and the cessation waiting mid-transaction',
    );
    const ordersBefore = (await registryEffects(pg)).orders;
    expect(ordersBefore).toHaveLength(expectedDay2.new.length + expectedDay2.site_changed.length + expectedDay2.identity_changed.length);

    first.child.kill('SIGKILL');
    await new Promise((resolve) =>
      first.child.exitCode !== null || first.child.signalCode !== null ? resolve(null) : first.child.once('exit', resolve),
    );
    await blocker.query('ROLLBACK');
    const t0 = Date.now();
    const second = startWorker(env);
    services.push(second);
    await eventually(
      async () =>
        (await unconsumedEvents(pg)) === 0 &&
        (await pg.query(`SELECT count(*)::int AS n FROM card WHERE national_id = ANY($1) AND state = 'opposed'`, [expectedDay2.ceased]))
          .rows[0].n === ceasedCards &&
        (await pg.query(`SELECT count(*)::int AS n FROM opposition WHERE source = 'registry'`)).rows[0].n === ceasedCards,
      // The killed job is still "active" in Redis: the outbox leaves it to BullMQ, which hands it
      // out again once its lock (QUEUE_JOB_LOCK_MS, 10 s) has expired and a worker's stalled-job check
      // (every half of the lock, 5 s) sees it.
      150_000,
      'the second worker to consume the cessation and oppose its cards',
    ).catch(async (e) => {
      const diag = {
        unconsumed: await unconsumedEvents(pg),
        cards: (await pg.query(`SELECT card_number, state, valid_until FROM card WHERE national_id = ANY($1)`, [expectedDay2.ceased])).rows,
        requests: (await pg.query(`SELECT * FROM opposition_request`)).rows,
        oppositions: (await pg.query(`SELECT card_number, source FROM opposition`)).rows,
        outbox: (await pg.query(`SELECT topic, attempts, consumed_at, last_error FROM outbox`)).rows,
      };
      throw new Error(`${(e as Error).message}\n${JSON.stringify(diag, null, 1)}\n${second.output().slice(-3000)}`);
    });
    reportConvergence('worker SIGKILL mid-job', t0);

    expectUndisturbedDay2(await registryEffects(pg));
    expect((await pg.query(`SELECT count(*)::int AS n FROM consumed_registry_event`)).rows[0].n).toBe(4);
    expect((await pg.query(`SELECT count(*)::int AS n FROM opposition_request WHERE source = 'registry'`)).rows[0].n).toBe(ceasedCards);
    expect((await pg.query(`SELECT card_number FROM opposition GROUP BY card_number HAVING count(*) > 1`)).rows).toEqual([]);
    expect(
      (
        await pg.query(
          `SELECT national_id, profession_code, card_type, reason FROM card_order
            GROUP BY national_id, profession_code, card_type, reason HAVING count(*) > 1`,
        )
      ).rows,
    ).toEqual([]);
    // A late delivery of the killed job (its BullMQ lock expiring) changes nothing: consumed already.
    await pg.query(`UPDATE outbox SET consumed_at = NULL, published_at = now() - interval '1 hour' WHERE topic = 'registry.event'`);
    await eventually(async () => (await unconsumedEvents(pg)) === 0, 60_000, 'the extra deliveries');
    expectUndisturbedDay2(await registryEffects(pg));
    expect((await pg.query(`SELECT count(*)::int AS n FROM opposition WHERE source = 'registry'`)).rows[0].n).toBe(ceasedCards);
  });
});
