import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { MIGRATIONS } from '../../migrations';
import { dropDatabase, ensureDatabase } from '../../src/common/database/database-url';
import { outboxJobId } from '../../src/common/outbox/outbox-delivery';
import { QueueName } from '../../src/common/queue/queues';
import { apiCaller, createToken } from '../support/http';
import { eventually, runCli, Service, startApi, startWorker } from '../support/processes';
import { blockConsumers, expectUndisturbedDay2, fixtures, registryEffects, unconsumedEvents } from '../support/registry-effects';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

/**
 * Issue 8 item 7 (no lost registry event) and issue 9 item 4 (job ids unique per database),
 * through the real worker, API and CLI processes. The registry events of day 2 (a newcomer,
 * a cessation, two content changes) must each make their orders exactly once. (Redis flushed
 * before the consumption: the fault tier, test/fault/redis-flush.fault-spec.ts.)
 */
describe('outbox delivery until consumption (worker, API and CLI processes)', () => {
  const services: Service[] = [];
  const dbs: TestDb[] = [];
  const clients: Client[] = [];
  afterAll(async () => {
    // (a process already gone, killed by signal, has exitCode null: stop() would wait for an exit already past)
    for (const s of services) if (s.child.exitCode === null && s.child.signalCode === null) await s.stop();
    for (const c of clients) await c.end().catch(() => undefined);
    for (const d of dbs) await d.drop();
  });

  const setUp = async (label: string, extra: Record<string, string> = {}) => {
    const db = await createTestDb(label);
    dbs.push(db);
    const env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix(label), OUTBOX_RELAY_INTERVAL_MS: '100', ...extra };
    const pg = new Client({ connectionString: db.url });
    pg.on('error', () => undefined);
    await pg.connect();
    clients.push(pg);
    expect((await runCli(['rpps:import', fixtures.day1, '--json'], env)).code).toBe(0);
    expect((await runCli(['cards:import', fixtures.holders, '--json'], env)).code).toBe(0);
    return { db, env, pg };
  };

  it('relays again a message whose job failed all its attempts, and its work is done once', async () => {
    const { db, env, pg } = await setUp('outbox-redeliver', { OUTBOX_REDELIVERY_SECONDS: '2', DATABASE_STATEMENT_TIMEOUT_MS: '1000' });
    const worker = startWorker(env);
    const api = await startApi(env);
    services.push(worker, api);
    const tokens = { ops: (await createToken(env, 'operator', 'ops')).token };
    const call = apiCaller(() => api.url, tokens);
    const get = (path: string) => call('GET', path, 'ops');

    // A database "blip" for the consumers: each attempt waits for the table, then its statement times out.
    const blocker = await blockConsumers(db.url);
    clients.push(blocker);
    expect((await runCli(['rpps:import', fixtures.day2, '--json'], env)).json.status).toBe('applied');
    const events = (await pg.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'registry.event'`)).rows[0].n as number;
    expect(events).toBe(4);
    // Every first delivery fails its 5 attempts; the messages are relayed again (delivery 2), still failing.
    await eventually(
      async () =>
        (
          await pg.query(
            `SELECT count(*)::int AS n FROM outbox WHERE topic = 'registry.event' AND attempts >= 2 AND last_error IS NOT NULL`,
          )
        ).rows[0].n === events,
      120_000,
      'every registry event to fail all the attempts of its first delivery and be relayed again',
    );
    expect(await unconsumedEvents(pg)).toBe(events);
    expect((await registryEffects(pg)).orders).toEqual([]);

    // The failures show in GET /api/v1/jobs, with their error, and in /metrics.
    const jobs = (await (await get('/api/v1/jobs')).json()) as {
      runs: unknown[];
      queues: Record<string, Record<string, number>>;
      failedMessages: Array<{ topic: string; state: string; error: string; deliveries: number }>;
    };
    expect(jobs.runs).toBeDefined();
    expect(jobs.queues['registry-events'].failed).toBeGreaterThanOrEqual(events);
    const failed = jobs.failedMessages.filter((m) => m.topic === 'registry.event');
    expect(failed).toHaveLength(events);
    for (const m of failed) {
      expect(m.state).toBe('retrying');
      // The sanitized text (jobErrorMessage), never PostgreSQL's own, which can quote a value of the row.
      expect(m.error).toBe('database: a statement was cancelled (statement timeout or shutdown) (SQLSTATE 57014)');
      expect(m.deliveries).toBeGreaterThanOrEqual(2);
    }
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    const gauge = (name: string, labels: string) => Number(new RegExp(`^${name}\\{${labels}\\} (\\d+)`, 'm').exec(metrics)?.[1]);
    expect(gauge('cps_queue_jobs', 'queue="registry-events",state="failed"')).toBeGreaterThanOrEqual(events);
    expect(gauge('cps_outbox_messages', 'queue="registry-events",state="retrying"')).toBe(events);

    // The blip ends: the next delivery is consumed.
    const t0 = Date.now();
    await blocker.query('ROLLBACK');
    await eventually(async () => (await unconsumedEvents(pg)) === 0, 120_000, 'the consumption of every registry event');
    process.stdout.write(`redelivery after failed attempts: converged ${(Date.now() - t0) / 1000} s after the blip\n`);
    expectUndisturbedDay2(await registryEffects(pg));
    expect((await pg.query(`SELECT count(*)::int AS n FROM consumed_registry_event`)).rows[0].n).toBe(events);

    // A message delivered once more (its consumption record lost) does its work once: nothing changes.
    const before = await registryEffects(pg);
    const [row] = (await pg.query(`SELECT id, attempts FROM outbox WHERE topic = 'registry.event' ORDER BY id LIMIT 1`)).rows;
    await pg.query(`UPDATE outbox SET consumed_at = NULL, published_at = now() - interval '1 hour' WHERE id = $1`, [row.id]);
    await eventually(
      async () =>
        (await pg.query(`SELECT attempts FROM outbox WHERE id = $1 AND consumed_at IS NOT NULL`, [row.id])).rows[0]?.attempts >
        row.attempts,
      60_000,
      'the extra delivery',
    );
    expect(await registryEffects(pg)).toEqual(before);
  });

  it('makes the orders of a database dropped and created again under the same name and QUEUE_PREFIX (issue 9)', async () => {
    const { db, env, pg } = await setUp('outbox-recreated');
    /** The database's identity and the ids of its registry event messages. */
    const identity = async (client: Client) => ({
      databaseId: (await client.query(`SELECT id FROM database_identity`)).rows[0].id as string,
      outboxIds: (await client.query(`SELECT id::text AS id FROM outbox WHERE topic = 'registry.event' ORDER BY id`)).rows.map(
        (r) => r.id as string,
      ),
    });
    let worker = startWorker(env);
    expect((await runCli(['rpps:import', fixtures.day2, '--json'], env)).json.status).toBe('applied');
    await eventually(async () => (await unconsumedEvents(pg)) === 0, 60_000, 'the first database to be consumed');
    expectUndisturbedDay2(await registryEffects(pg));
    const first = await identity(pg);
    expect(first.outboxIds.length).toBeGreaterThan(0);
    await worker.stop();
    clients.splice(clients.indexOf(pg), 1);
    await pg.end();
    // Same name, same prefix, same Redis (never flushed); the completed jobs of the first database are still kept there.
    // Created empty (no template): the first command applies every migration, as on a new server.
    await dropDatabase(db.url);
    expect(await ensureDatabase(db.url)).toBe(true);
    expect((await runCli(['rpps:import', fixtures.day1, '--json'], env)).code).toBe(0);
    const pg2 = new Client({ connectionString: db.url });
    pg2.on('error', () => undefined);
    await pg2.connect();
    clients.push(pg2);
    expect((await pg2.query(`SELECT count(*)::int AS n FROM schema_migrations`)).rows[0].n).toBe(MIGRATIONS.length);
    expect((await runCli(['cards:import', fixtures.holders, '--json'], env)).code).toBe(0);
    worker = startWorker(env);
    services.push(worker);
    expect((await runCli(['rpps:import', fixtures.day2, '--json'], env)).json.status).toBe('applied');
    await eventually(async () => (await unconsumedEvents(pg2)) === 0, 60_000, 'the new database to be consumed');
    expectUndisturbedDay2(await registryEffects(pg2));
    // Row ids taken again: only the database identity tells the new jobs from the old ones,
    // which Redis still holds, completed, next to the new ones.
    const second = await identity(pg2);
    expect(second.databaseId).not.toBe(first.databaseId);
    const reused = second.outboxIds.filter((id) => first.outboxIds.includes(id));
    expect(reused.length).toBeGreaterThanOrEqual(second.outboxIds.length - 1);
    expect(reused.length).toBeGreaterThan(0);
    const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QueueName.RegistryEvents, { connection: redis, prefix: env.QUEUE_PREFIX });
    try {
      for (const id of reused) {
        expect(await queue.getJobState(outboxJobId(first.databaseId, id, 1))).toBe('completed');
        expect(await queue.getJobState(outboxJobId(second.databaseId, id, 1))).toBe('completed');
      }
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });
});
