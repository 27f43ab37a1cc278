import { Client } from 'pg';
import { reportConvergence } from '../support/fault';
import { PrivateRedis, startPrivateRedis } from '../support/private-services';
import { eventually, runCli, Service, startWorker } from '../support/processes';
import {
  blockConsumers,
  expectUndisturbedDay2,
  fixtures,
  registryEffects,
  sessionsWaitingOnLocks,
  unconsumedEvents,
} from '../support/registry-effects';
import { createTestDb, TestDb, testQueuePrefix } from '../support/services';

/**
 * Issue 8, must-show 3: Redis flushed after the registry events were relayed and before they
 * were consumed. The worker has taken their jobs (its consumers wait on a lock the test
 * holds) when it dies and a private redis-server loses everything; the outbox still holds the
 * messages, pending, and relays them again after OUTBOX_REDELIVERY_SECONDS: the next worker
 * makes exactly the orders and oppositions of an undisturbed run.
 */
describe('fault: Redis flushed between the relay and the consumption of registry events', () => {
  let redis: PrivateRedis;
  let db: TestDb;
  let pg: Client;
  const clients: Client[] = [];
  const services: Service[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    db = await createTestDb('fault-redis-flush');
    pg = new Client({ connectionString: db.url });
    pg.on('error', () => undefined);
    await pg.connect();
  });
  afterAll(async () => {
    for (const s of services) if (s.child.exitCode === null && s.child.signalCode === null) await s.stop();
    for (const c of clients) await c.end().catch(() => undefined);
    await pg?.end();
    await db?.drop();
    await redis?.destroy();
  });

  it('relays the lost events again, and the next worker consumes each once', async () => {
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: testQueuePrefix('fault-redis-flush'),
      OUTBOX_RELAY_INTERVAL_MS: '100',
      OUTBOX_REDELIVERY_SECONDS: '2',
    };
    expect((await runCli(['rpps:import', fixtures.day1, '--json'], env)).code).toBe(0);
    expect((await runCli(['cards:import', fixtures.holders, '--json'], env)).code).toBe(0);
    const blocker = await blockConsumers(db.url);
    clients.push(blocker);
    const first = startWorker(env);
    services.push(first);
    expect((await runCli(['rpps:import', fixtures.day2, '--json'], env)).json.status).toBe('applied');
    // Relayed, and taken by the worker, whose consumers wait: nothing consumed yet.
    await eventually(
      async () =>
        (await pg.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'registry.event' AND published_at IS NOT NULL`)).rows[0].n ===
        4,
      60_000,
      'the relay',
    );
    await eventually(async () => (await sessionsWaitingOnLocks(pg)) >= 1, 60_000, 'a consumer waiting');
    // The worker dies, and Redis loses everything.
    first.child.kill('SIGKILL');
    await first.stop();
    await redis.flushAll();
    expect(await unconsumedEvents(pg)).toBe(4);
    await blocker.query('ROLLBACK');

    const t0 = Date.now();
    const second = startWorker(env);
    services.push(second);
    await eventually(async () => (await unconsumedEvents(pg)) === 0, 60_000, 'the consumption of every registry event');
    reportConvergence('redis-flush', t0);
    expectUndisturbedDay2(await registryEffects(pg));
    const deliveries = (await pg.query(`SELECT attempts FROM outbox WHERE topic = 'registry.event'`)).rows.map((r) => r.attempts);
    for (const n of deliveries) expect(n).toBeGreaterThanOrEqual(2);
    // Nothing twice: one consumption per event, one opposition per card handed over.
    expect((await pg.query(`SELECT count(*)::int AS n FROM consumed_registry_event`)).rows[0].n).toBe(4);
    const handed = (await pg.query(`SELECT count(DISTINCT card_number)::int AS n FROM opposition_request WHERE source = 'registry'`))
      .rows[0].n as number;
    await eventually(
      async () =>
        (await pg.query(`SELECT count(*)::int AS n FROM card WHERE state = 'opposed' AND opposition_reason = 'cessation'`)).rows[0].n ===
        handed,
      30_000,
      'the cessation oppositions',
    );
    expect((await pg.query(`SELECT count(*)::int AS n FROM opposition WHERE source = 'registry'`)).rows[0].n).toBe(handed);
    expect((await pg.query(`SELECT card_number FROM opposition GROUP BY card_number HAVING count(*) > 1`)).rows).toEqual([]);
  });
});
