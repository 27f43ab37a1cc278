import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { Clock } from '../../src/common/clock/clock';
import { purgeInBatches } from '../../src/common/database/purge';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import { QueueName } from '../../src/common/queue/queues';
import { OrdersService } from '../../src/orders/orders.service';
import { RegistryEventsHandler } from '../../src/orders/registry-events.handler';
import { removeOldFailedJobs } from '../../src/retention/retention.handler';
import { RETENTION_LOCK, RetentionService } from '../../src/retention/retention.service';
import { openContext, TestContext, testConfig } from '../support/context';
import { activeHolders, orderByPolicy } from '../support/orders';
import { REDIS_URL, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const NOW = new Date('2026-12-01T10:00:00Z');
const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Each kind kept a different number of days, so that a row is past or inside the window of its own kind only. */
const DAYS = { outbox: 10, jobRuns: 20, consumedEvents: 30, idempotencyKeys: 40, registryRejects: 50 };
/** Just past the window of `days` (goes), and just inside it (stays). */
const past = (days: number) => new Date(NOW.getTime() - days * DAY - HOUR);
const inside = (days: number) => new Date(NOW.getTime() - days * DAY + HOUR);
const LONG_AGO = new Date('2016-01-01T00:00:00Z');

describe(RetentionService.name, () => {
  let ctx: TestContext;
  let retention: RetentionService;
  let orders: OrdersService;
  let orderId: string;

  beforeAll(async () => {
    ctx = await openContext('retention');
    const cfg = testConfig({
      RETENTION_OUTBOX_DAYS: String(DAYS.outbox),
      RETENTION_JOB_RUNS_DAYS: String(DAYS.jobRuns),
      RETENTION_CONSUMED_EVENTS_DAYS: String(DAYS.consumedEvents),
      RETENTION_IDEMPOTENCY_KEYS_DAYS: String(DAYS.idempotencyKeys),
      RETENTION_REGISTRY_REJECTS_DAYS: String(DAYS.registryRejects),
    });
    const clock = Clock.startingAt(NOW);
    orders = new OrdersService(ctx.ds, ctx.audit, ctx.rpps, cfg, clock, new OutboxService());
    const events = new RegistryEventsHandler(ctx.ds, ctx.rpps, orders, ctx.audit, new OutboxService(), clock);
    retention = new RetentionService(ctx.ds, clock, cfg, ctx.audit, ctx.jobs, new OutboxService(), events, orders, ctx.rpps);
    await ctx.imports.run({ files: [join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt')], actor: 't' });
    const [holder] = await activeHolders(ctx, 1);
    orderId = (await orderByPolicy(ctx, orders, holder)).id;
  });
  afterAll(async () => ctx.close());

  /** Rows of every kind: for each, one just past its window and one just inside it, and those that stay whatever their age. */
  async function seed() {
    const q = (sql: string, params: unknown[] = []) => ctx.ds.query(sql, params);
    await q(
      `INSERT INTO outbox (topic, payload, created_at, published_at, consumed_at, failed_at) VALUES
      ('registry.event', '{"name":"consumed-past"}', $1, $1, $2, NULL),
      ('registry.event', '{"name":"consumed-inside"}', $1, $1, $3, NULL),
      ('registry.event', '{"name":"failed-past-runs-window"}', $1, $1, NULL, $4),
      ('registry.event', '{"name":"failed-inside-runs-window"}', $1, $1, NULL, $2),
      ('registry.event', '{"name":"pending-never-relayed"}', $1, NULL, NULL, NULL),
      ('registry.event', '{"name":"pending-relayed-not-consumed"}', $1, $1, NULL, NULL)`,
      [LONG_AGO, past(DAYS.outbox), inside(DAYS.outbox), past(DAYS.jobRuns)],
    );
    const run = async (name: string, state: string, finishedAt: Date | null) =>
      (
        await q(
          `INSERT INTO job_run (kind, state, actor, params, created_at, finished_at) VALUES ('renewals', $1, 't', $2, $3, $4) RETURNING id`,
          [state, JSON.stringify({ name }), LONG_AGO, finishedAt],
        )
      )[0].id as string;
    await run('succeeded-past', 'succeeded', past(DAYS.jobRuns));
    await run('failed-past', 'failed', past(DAYS.jobRuns));
    await run('succeeded-inside', 'succeeded', inside(DAYS.jobRuns));
    await run('held-long-ago', 'held', LONG_AGO);
    await run('running-long-ago', 'running', null);
    await run('queued-long-ago', 'queued', null);
    const importRun = await run('import-run-past', 'succeeded', past(DAYS.jobRuns));
    const imp = async (name: string, status: string, finishedAt: Date | null, jobRunId: string | null = null) => {
      const [{ id }] = await q(
        `INSERT INTO rpps_import (status, actor, files, started_at, finished_at, job_run_id) VALUES ($1, 't', $2, $3, $4, $5) RETURNING id`,
        [status, JSON.stringify([name]), LONG_AGO, finishedAt, jobRunId],
      );
      await q(
        `INSERT INTO rpps_reject (import_id, file, line_no, reason, raw) VALUES ($1, $2, 1, 'bad', 'Dupont|Jean|...'), ($1, $2, 2, 'bad', '...')`,
        [id, name],
      );
      return id as string;
    };
    const pastImport = await imp('rejects-past', 'applied', past(DAYS.registryRejects), importRun);
    await imp('rejects-inside', 'applied', inside(DAYS.registryRejects));
    await imp('rejects-running', 'running', null);
    // Held for a person's decision long ago: its rejects stay (it may still be applied).
    await imp('rejects-held', 'held', past(DAYS.registryRejects));
    await q(`INSERT INTO consumed_registry_event (event_id, consumed_at) VALUES (900001, $1), (900002, $2)`, [
      past(DAYS.consumedEvents),
      inside(DAYS.consumedEvents),
    ]);
    await q(
      `INSERT INTO order_idempotency_key (principal, key, request_hash, order_id, created_at) VALUES ('p', 'key-past', 'h', $1, $2), ('p', 'key-inside', 'h', $1, $3)`,
      [orderId, past(DAYS.idempotencyKeys), inside(DAYS.idempotencyKeys)],
    );
    return { pastImport };
  }

  const names = async (sql: string) => (await ctx.ds.query(sql)).map((r: { name: string }) => r.name).sort();
  const outboxLeft = () => names(`SELECT payload->>'name' AS name FROM outbox WHERE payload ? 'name'`);
  const runsLeft = () => names(`SELECT params->>'name' AS name FROM job_run WHERE params ? 'name'`);
  const rejectsLeft = () =>
    names(
      `SELECT DISTINCT i.files->>0 AS name FROM rpps_reject r JOIN rpps_import i ON i.id = r.import_id WHERE i.files->>0 LIKE 'rejects-%'`,
    );
  const marksLeft = () => names(`SELECT event_id::text AS name FROM consumed_registry_event WHERE event_id > 900000`);
  const keysLeft = () => names(`SELECT key AS name FROM order_idempotency_key`);
  const auditRows = () => ctx.ds.query(`SELECT id::text, action, details FROM audit_log ORDER BY audit_log.id`);

  it('purges the rows past their window, keeps those just inside it, pending messages, unfinished runs and the audit trail; a dry run only counts', async () => {
    const { pastImport } = await seed();
    const before = {
      outbox: await outboxLeft(),
      runs: await runsLeft(),
      rejects: await rejectsLeft(),
      marks: await marksLeft(),
      keys: await keysLeft(),
    };
    const auditBefore = await auditRows();
    expect(auditBefore.length).toBeGreaterThan(0); // the import and the order wrote entries

    const dry = await retention.run({ actor: 't', dryRun: true });
    expect(dry.purged).toEqual({ outbox: 2, jobRuns: 3, consumedEvents: 1, idempotencyKeys: 1, registryRejects: 2 });
    expect(dry.jobRunId).toBeUndefined();
    expect({
      outbox: await outboxLeft(),
      runs: await runsLeft(),
      rejects: await rejectsLeft(),
      marks: await marksLeft(),
      keys: await keysLeft(),
    }).toEqual(before);
    expect(await auditRows()).toEqual(auditBefore);

    const r = await retention.run({ actor: 't' });
    expect(r.purged).toEqual(dry.purged);
    expect(r.days).toEqual(DAYS);
    // The windows are counted back from the clock's now (which runs on from NOW).
    const cutoff = Date.parse(r.before.outbox) - (NOW.getTime() - DAYS.outbox * DAY);
    expect(cutoff).toBeGreaterThanOrEqual(0);
    expect(cutoff).toBeLessThan(60_000);

    // A message refused for good (failed) is kept as long as a failed job run.
    expect(await outboxLeft()).toEqual([
      'consumed-inside',
      'failed-inside-runs-window',
      'pending-never-relayed',
      'pending-relayed-not-consumed',
    ]);
    expect(await runsLeft()).toEqual(['held-long-ago', 'queued-long-ago', 'running-long-ago', 'succeeded-inside']);
    expect(await rejectsLeft()).toEqual(['rejects-held', 'rejects-inside', 'rejects-running']);
    expect(await marksLeft()).toEqual(['900002']);
    expect(await keysLeft()).toEqual(['key-inside']);
    // The import whose run went keeps its record, without the link; its rejects' count stays.
    const [imp] = await ctx.ds.query(`SELECT job_run_id, status FROM rpps_import WHERE id = $1`, [pastImport]);
    expect(imp).toEqual({ job_run_id: null, status: 'applied' });

    // The audit trail: every entry still there, one more per kind saying what went (counts only).
    const auditAfter = await auditRows();
    expect(auditAfter.slice(0, auditBefore.length)).toEqual(auditBefore);
    expect(auditAfter.slice(auditBefore.length)).toEqual(
      Object.keys(DAYS).map((kind) => ({
        id: expect.any(String),
        action: 'retention.purge',
        details: {
          kind,
          purged: r.purged[kind as keyof typeof DAYS],
          days: DAYS[kind as keyof typeof DAYS],
          before: r.before[kind as keyof typeof DAYS],
        },
      })),
    );
    const entries = await ctx.ds.query(`SELECT DISTINCT entity, entity_id FROM audit_log WHERE action = 'retention.purge'`);
    expect(entries).toEqual([{ entity: 'job_run', entity_id: r.jobRunId }]);
    const [run] = await ctx.ds.query(`SELECT kind, state, result FROM job_run WHERE id = $1`, [r.jobRunId]);
    expect(run).toMatchObject({ kind: 'retention', state: 'succeeded', result: { purged: r.purged } });

    // A second run finds nothing more to purge.
    const again = await retention.run({ actor: 't' });
    expect(again.purged).toEqual({ outbox: 0, jobRuns: 0, consumedEvents: 0, idempotencyKeys: 0, registryRejects: 0 });
  });

  it('a run killed midway: what it deleted is audited kind by kind, and the next run marks it failed', async () => {
    await ctx.ds.query(
      `INSERT INTO outbox (topic, payload, published_at, consumed_at) VALUES ('registry.event', '{"name":"crash-consumed"}', $1, $1)`,
      [LONG_AGO],
    );
    // The process "dies" while purging the registry rejects (the last kind): the run is left as it was.
    const fail = jest.spyOn(ctx.jobs, 'fail').mockResolvedValueOnce(undefined);
    const purge = jest.spyOn(ctx.rpps, 'purgeRejects').mockRejectedValueOnce(new Error('killed'));
    try {
      await expect(retention.run({ actor: 't' })).rejects.toThrow('killed');
    } finally {
      purge.mockRestore();
      fail.mockRestore();
    }
    const [killed] = await ctx.ds.query(
      `SELECT id::text, state FROM job_run WHERE kind = 'retention' ORDER BY created_at DESC, id LIMIT 1`,
    );
    expect(killed.state).toBe('running');
    const written = await ctx.ds.query(
      `SELECT details FROM audit_log WHERE action = 'retention.purge' AND entity_id = $1 ORDER BY audit_log.id`,
      [killed.id],
    );
    expect(written.map((e: { details: { kind: string } }) => e.details.kind)).toEqual([
      'outbox',
      'jobRuns',
      'consumedEvents',
      'idempotencyKeys',
    ]);
    expect(written[0].details.purged).toBe(1);

    const next = await retention.run({ actor: 't' });
    const [after] = await ctx.ds.query(`SELECT state, error FROM job_run WHERE id = $1`, [killed.id]);
    expect(after.state).toBe('failed');
    expect(after.error).toMatch(/^interrupted/);
    const [nextRun] = await ctx.ds.query(`SELECT state FROM job_run WHERE id = $1`, [next.jobRunId]);
    expect(nextRun.state).toBe('succeeded');
  });

  it('refuses a second run while one holds the retention lock, and leaves the running one alone', async () => {
    const [{ id: live }] = await ctx.ds.query(
      `INSERT INTO job_run (kind, state, actor, params, started_at) VALUES ('retention', 'running', 't', '{}', now()) RETURNING id::text`,
    );
    const qr = ctx.ds.createQueryRunner();
    await qr.connect();
    try {
      await qr.query('SELECT pg_advisory_lock($1)', [RETENTION_LOCK]);
      await expect(retention.run({ actor: 't' })).rejects.toThrow('another retention run is under way');
      const [row] = await ctx.ds.query(`SELECT state FROM job_run WHERE id = $1`, [live]);
      expect(row.state).toBe('running');
    } finally {
      await qr.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK]);
      await qr.release();
      await ctx.ds.query(`DELETE FROM job_run WHERE id = $1`, [live]);
    }
  });

  it('deletes in batches of the size asked, each statement on its own, until none is left', async () => {
    await ctx.ds.query(
      `INSERT INTO outbox (topic, payload, published_at, consumed_at) SELECT 'registry.event', jsonb_build_object('batch', i), $1, $1 FROM generate_series(1, 7) i`,
      [LONG_AGO],
    );
    const statements: string[] = [];
    const spy = {
      query: (sql: string, params?: unknown[]) => {
        statements.push(sql);
        return ctx.ds.query(sql, params);
      },
    };
    const n = await new OutboxService().purgeDone(spy, new Date(LONG_AGO.getTime() + DAY), LONG_AGO, { batch: 3, dryRun: false });
    expect(n).toBe(7);
    expect(statements).toHaveLength(4); // consumed: 3 + 3 + 1; failed: none
    expect(await ctx.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE payload ? 'batch'`)).toEqual([{ n: 0 }]);
    await expect(
      purgeInBatches(ctx.ds, { table: 'outbox; DROP TABLE card', where: 'true' }, NOW, { batch: 1, dryRun: true }),
    ).rejects.toThrow('not a table name');
  });
});

describe(removeOldFailedJobs.name, () => {
  it('removes the failed jobs older than the time given, from every queue, and keeps the younger ones', async () => {
    const prefix = testQueuePrefix('retention-failed');
    const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QueueName.Maintenance, { connection, prefix });
    const worker = new Worker(
      QueueName.Maintenance,
      async () => {
        throw new Error('fails on purpose');
      },
      { connection, prefix },
    );
    try {
      const failed = new Promise<void>((resolve) => worker.once('failed', () => resolve()));
      await queue.add('retention.run', {}, { attempts: 1 });
      await failed;
      await worker.close();
      expect(await queue.getFailedCount()).toBe(1);
      expect(await removeOldFailedJobs(connection, prefix, 60_000)).toBe(0); // failed a moment ago: inside the time
      expect(await queue.getFailedCount()).toBe(1);
      await new Promise((r) => setTimeout(r, 50));
      expect(await removeOldFailedJobs(connection, prefix, 10)).toBe(1);
      expect(await queue.getFailedCount()).toBe(0);
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    }
  });
});
