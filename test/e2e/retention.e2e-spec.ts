import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { eventually, runCli, Service, startWorker } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const DAY = 86_400_000;

/**
 * Retention (issue 13, item 5) in the built processes: `retention:run` at the host, and the
 * worker's daily job (its scheduler declared at start; run here by adding its job now), which
 * also removes the failed BullMQ jobs past RETENTION_FAILED_JOBS_DAYS.
 */
describe('retention (retention:run, the worker)', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let pg: Client;
  let redis: IORedis;
  let prefix: string;
  let worker: Service | undefined;

  beforeAll(async () => {
    db = await createTestDb('retention');
    prefix = testQueuePrefix('retention');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix, OUTBOX_RELAY_INTERVAL_MS: '100' };
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    // Outbox: a message consumed 40 days ago (past RETENTION_OUTBOX_DAYS, 30), one consumed today, one pending.
    await pg.query(
      `INSERT INTO outbox (topic, payload, created_at, published_at, consumed_at) VALUES
         ('registry.event', '{"name":"old"}', $1, $1, $1), ('registry.event', '{"name":"today"}', now(), now(), now())`,
      [new Date(Date.now() - 40 * DAY)],
    );
  });
  afterAll(async () => {
    await worker?.stop();
    await pg?.end();
    redis?.disconnect();
    await db?.drop();
  });

  const outboxNames = async () =>
    (await pg.query(`SELECT payload->>'name' AS name FROM outbox WHERE payload ? 'name' ORDER BY 1`)).rows.map((r) => r.name);

  it('retention:run --dry-run counts what would go and deletes nothing', async () => {
    const r = await runCli(['retention:run', '--dry-run', '--json'], env);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({
      dryRun: true,
      purged: { outbox: 1, jobRuns: 0, consumedEvents: 0, idempotencyKeys: 0, registryRejects: 0 },
      days: { outbox: 30, jobRuns: 400, consumedEvents: 90, idempotencyKeys: 30, registryRejects: 90 },
    });
    expect(r.json.jobRunId).toBeUndefined();
    expect(await outboxNames()).toEqual(['old', 'today']);
  });

  it('has the worker declare the daily purge, and run it: old rows and old failed jobs go, the rest stays', async () => {
    // Two failed jobs on the CRL queue: one that failed 40 days ago (past RETENTION_FAILED_JOBS_DAYS, 30), one today.
    const crl = new Queue('crl', { connection: redis, prefix });
    const failing = new Worker(
      'crl',
      async () => {
        throw new Error('fails on purpose');
      },
      { connection: redis, prefix, autorun: false },
    );
    const failedTwice = new Promise<void>((resolve) => {
      let n = 0;
      failing.on('failed', () => ++n === 2 && resolve());
    });
    const [old, recent] = await Promise.all([crl.add('test.fail', {}, { attempts: 1 }), crl.add('test.fail', {}, { attempts: 1 })]);
    void failing.run();
    await failedTwice;
    await failing.close();
    const longAgo = Date.now() - 40 * DAY;
    await redis.hset(`${prefix}:crl:${old.id}`, 'finishedOn', String(longAgo));
    await redis.zadd(`${prefix}:crl:failed`, longAgo, old.id!);

    worker = startWorker(env);
    const maintenance = new Queue('maintenance', { connection: redis, prefix });
    try {
      const schedulers = await eventually(
        async () => {
          const list = await maintenance.getJobSchedulers();
          return list.length ? list : undefined;
        },
        30_000,
        'the retention scheduler',
      );
      expect(schedulers).toEqual([expect.objectContaining({ key: 'daily-retention', pattern: '30 3 * * *', name: 'retention.run' })]);

      await maintenance.add('retention.run', {});
      const run = await eventually(
        async () =>
          (await pg.query(`SELECT id, state, actor, result FROM job_run WHERE kind = 'retention' AND state <> 'running'`)).rows[0],
        30_000,
        'the retention run',
      );
      expect(run).toMatchObject({ state: 'succeeded', actor: 'system:scheduler', result: { purged: { outbox: 1 }, failedJobs: 1 } });
      expect(await outboxNames()).toEqual(['today']);
      expect((await crl.getFailed()).map((j) => j.id)).toEqual([recent.id]);
      // One entry per kind, written as each is purged (counts only).
      const audit = await eventually(
        async () => {
          const { rows } = await pg.query(`SELECT actor, entity_id, details FROM audit_log WHERE action = 'retention.purge' ORDER BY id`);
          return rows.length === 6 ? rows : undefined;
        },
        10_000,
        'the audit entries',
      );
      expect(audit.map((e) => e.details.kind)).toEqual([
        'outbox',
        'jobRuns',
        'consumedEvents',
        'idempotencyKeys',
        'registryRejects',
        'failedJobs',
      ]);
      for (const e of audit) expect(e).toMatchObject({ actor: 'system:scheduler', entity_id: run.id });
      expect(audit[0].details).toMatchObject({ purged: 1 });
      expect(audit[5].details).toMatchObject({ purged: 1 });
    } finally {
      await maintenance.close();
      await crl.close();
    }
  });
});
