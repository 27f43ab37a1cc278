import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { DAILY_SCHEDULES, QueueName } from '../../src/common/queue/queues';
import { eventually, Service, startApi, startWorker } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const CHECK_SECONDS = 2;
const IDS = DAILY_SCHEDULES.map((s) => s.id);

/**
 * The daily schedules survive a Redis that lost its data (issue 13, item 9): every worker creates them at start and
 * checks them every SCHEDULES_CHECK_SECONDS, re-creating those missing; the API's /metrics shows each one's next run
 * (cps_schedule_next_run_timestamp_seconds, read from Redis), 0 for one missing. (The worker serves its own /metrics on
 * WORKER_METRICS_PORT; these tests read the API's.) Re-creating the full CRL's schedule publishes one at once when the
 * latest is stale (CrlFullHandler.schedule): the day's run, lost with the schedule, is not skipped.
 */
describe('the daily schedules, kept in Redis by the worker (node dist/src/worker.js)', () => {
  let db: TestDb;
  let prefix: string;
  let env: Record<string, string>;
  let api: Service & { url: string };
  let worker: Service;
  let redis: IORedis;
  let pg: Client;
  const queues = new Map<QueueName, Queue>();

  beforeAll(async () => {
    db = await createTestDb('schedules');
    prefix = testQueuePrefix('schedules');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix, SCHEDULES_CHECK_SECONDS: String(CHECK_SECONDS) };
    redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    for (const name of new Set(DAILY_SCHEDULES.map((s) => s.queue))) queues.set(name, new Queue(name, { connection: redis, prefix }));
    [api, worker] = await Promise.all([startApi(env), startWorker(env)]);
  });
  afterAll(async () => {
    await Promise.all([worker?.stop(), api?.stop()]);
    await Promise.all([...queues.values()].map((q) => q.close()));
    await deletePrefix();
    redis?.disconnect();
    await pg?.end();
    await db?.drop();
  });

  /** Each schedule's next run (ms) and the id of its next job, as Redis holds them; undefined when missing. */
  const inRedis = async () => {
    const out: Record<string, { next: number; jobTimestamp: number } | undefined> = {};
    for (const s of DAILY_SCHEDULES) {
      const q = queues.get(s.queue)!;
      const scheduler = await q.getJobScheduler(s.id);
      const job = scheduler?.next === undefined ? undefined : await q.getJob(`repeat:${s.id}:${scheduler.next}`);
      out[s.id] = scheduler?.next !== undefined && job ? { next: scheduler.next, jobTimestamp: job.timestamp } : undefined;
    }
    return out;
  };
  const allThere = async () => {
    const s = await inRedis();
    return IDS.every((id) => s[id] && s[id].next > Date.now()) ? (s as Record<string, { next: number; jobTimestamp: number }>) : undefined;
  };
  /** cps_schedule_next_run_timestamp_seconds by schedule, from the API's /metrics. */
  const metric = async () => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    const out: Record<string, number> = {};
    for (const m of text.matchAll(/^cps_schedule_next_run_timestamp_seconds\{schedule="([^"]+)"\} (\S+)$/gm)) out[m[1]] = Number(m[2]);
    return out;
  };
  /** What a Redis that lost its data looks like to this test's queues: every key of the prefix gone. */
  const deletePrefix = async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    return keys.length;
  };

  it('are re-created within the check interval after Redis loses them, and the metric shows their next runs', async () => {
    const before = await eventually(allThere, 30_000, 'the seven daily schedules at start');
    expect(Object.keys(before).sort()).toEqual([...IDS].sort());
    // The check leaves schedules that are there alone (a due job is never replaced): the same next jobs, after 2 checks.
    await new Promise((r) => setTimeout(r, 2 * CHECK_SECONDS * 1000 + 500));
    expect(await inRedis()).toEqual(before);
    await eventually(
      async () => {
        const m = await metric();
        return IDS.every((id) => m[id] === before[id].next / 1000);
      },
      15_000,
      'the metric showing the next runs',
    );

    expect(await deletePrefix()).toBeGreaterThan(0);
    const lost = Date.now();
    // (No check that they are all gone now: the worker may have re-created some already.)
    const after = await eventually(allThere, CHECK_SECONDS * 1000 + 3000, 'the schedules re-created');
    expect(Date.now() - lost).toBeLessThan(CHECK_SECONDS * 1000 + 3000);
    for (const id of IDS) expect(after[id].jobTimestamp).toBeGreaterThanOrEqual(lost);
    expect(worker.output()).toContain('daily schedules missing from Redis: re-created');
    await eventually(
      async () => {
        const m = await metric();
        return IDS.every((id) => m[id] === after[id].next / 1000 && m[id] > Date.now() / 1000);
      },
      15_000,
      'the metric showing the re-created schedules',
    );
  });

  it('publishes a full CRL at once when it re-creates the schedule and the latest full CRL is stale (23 h old or more)', async () => {
    const fulls = async () =>
      (await pg.query(`SELECT crl_number::int AS n, this_update FROM crl_publication WHERE kind = 'full' ORDER BY crl_number`))
        .rows as Array<{
        n: number;
        this_update: Date;
      }>;
    // The one the worker published at its start (none was stored); the re-creation above, while it was fresh, added none.
    const [first, ...others] = await eventually(
      async () => ((await fulls()).length ? fulls() : undefined),
      30_000,
      'the full CRL at start',
    );
    expect(others).toEqual([]);
    // Yesterday's, as if the daily run had been lost with Redis's data.
    await pg.query(`UPDATE crl_publication SET this_update = this_update - interval '23 hours 5 minutes' WHERE crl_number = $1`, [first.n]);
    await deletePrefix();
    const lost = Date.now();
    await eventually(allThere, CHECK_SECONDS * 1000 + 3000, 'the schedules re-created');
    const next = await eventually(
      async () => (await fulls()).find((f) => f.n > first.n),
      30_000,
      'a full CRL published on re-creating the stale schedule',
    );
    expect(next.this_update.getTime()).toBeGreaterThanOrEqual(Math.floor(lost / 1000) * 1000);
    // Once fresh, losing the schedules again publishes nothing more.
    await deletePrefix();
    await eventually(allThere, CHECK_SECONDS * 1000 + 3000, 'the schedules re-created again');
    await new Promise((r) => setTimeout(r, 3000));
    expect((await fulls()).map((f) => f.n)).toEqual([first.n, next.n]);
  });

  it('shows 0 on the metric for a schedule missing from Redis (no worker to re-create it)', async () => {
    await worker.stop();
    await deletePrefix();
    const m = await eventually(
      async () => {
        const v = await metric();
        return IDS.every((id) => v[id] === 0) ? v : undefined;
      },
      15_000,
      'the metric at 0',
    );
    expect(Object.keys(m).sort()).toEqual([...IDS].sort());
  });
});
