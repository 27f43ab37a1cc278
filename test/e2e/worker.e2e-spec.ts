import { join } from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { createToken } from '../support/http';
import { eventually, runCli, Service, startApi, startWorker } from '../support/processes';
import { copyIntoImportDir, createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const day2 = join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt');

describe('the worker (node dist/src/worker.js)', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let worker: Service;
  let api: Service & { url: string };
  let pg: Client;
  let redis: IORedis;
  let prefix: string;
  let batchToken: string;

  beforeAll(async () => {
    db = await createTestDb('worker');
    prefix = testQueuePrefix('worker');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix, OUTBOX_RELAY_INTERVAL_MS: '100' };
    api = await startApi(env);
    worker = startWorker(env);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    batchToken = (await createToken(env, 'batch', 'scheduler')).token;
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await pg?.end();
    redis?.disconnect();
    await db?.drop();
  });

  const jobs = async () => {
    const r = await fetch(`${api.url}/api/v1/jobs?kind=rpps-import`, { headers: { authorization: `Bearer ${batchToken}` } });
    expect(r.status).toBe(200);
    return (await r.json()) as { runs: Array<{ id: string; state: string; percent: number | null; result: any }> };
  };

  it('runs an import queued from the CLI, its progress and result visible in /api/v1/jobs', async () => {
    const q = await runCli(['rpps:import', day1, '--enqueue', '--json'], env);
    expect(q.code).toBe(0);
    expect(q.json.state).toBe('queued');
    const run = await eventually(
      async () => (await jobs()).runs.find((x) => x.id === q.json.jobRunId && x.state === 'succeeded'),
      60_000,
      'the queued import',
    );
    expect(run.result.status).toBe('baseline');
    expect(run.percent).toBe(100);
  });

  it('runs an import queued over HTTP by the batch role, of a file in the import directory', async () => {
    const r = await fetch(`${api.url}/api/v1/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${batchToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ files: copyIntoImportDir(db, day2) }),
    });
    expect(r.status).toBe(201);
    const { jobRunId } = (await r.json()) as { jobRunId: string };
    const run = await eventually(
      async () => (await jobs()).runs.find((x) => x.id === jobRunId && x.state === 'succeeded'),
      60_000,
      'the import',
    );
    expect(run.result.status).toBe('applied');
  });

  it('declares the daily renewal sweep as a BullMQ job scheduler', async () => {
    const queue = new Queue('renewals', { connection: redis, prefix });
    try {
      const schedulers = await eventually(
        async () => {
          const list = await queue.getJobSchedulers();
          return list.length ? list : undefined;
        },
        30_000,
        'the job scheduler',
      );
      expect(schedulers).toEqual([expect.objectContaining({ key: 'daily-renewal-sweep', pattern: '0 4 * * *', name: 'renewals.run' })]);
    } finally {
      await queue.close();
    }
  });

  it('relays every registry event from the outbox to its queue, its job id naming the database, the row and the delivery, and marks it consumed', async () => {
    const events = (await pg.query(`SELECT id::text AS id, kind FROM rpps_event ORDER BY id`)).rows as Array<{ id: string; kind: string }>;
    expect(events.length).toBeGreaterThan(0);
    await eventually(
      async () => (await pg.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`)).rows[0].n === 0,
      30_000,
      'the relay',
    );
    const [{ id: databaseId }] = (await pg.query(`SELECT id FROM database_identity`)).rows;
    expect(databaseId).toMatch(/^[0-9a-f]{16}$/);
    await eventually(
      async () => (await pg.query(`SELECT count(*)::int AS n FROM outbox WHERE consumed_at IS NULL`)).rows[0].n === 0,
      30_000,
      'the consumption of every message',
    );
    const rows = (await pg.query(`SELECT id::text AS id, payload, attempts FROM outbox WHERE topic = 'registry.event' ORDER BY id`)).rows;
    const queue = new Queue('registry-events', { connection: redis, prefix });
    try {
      for (const row of rows) {
        expect(row.attempts).toBe(1);
        const job = await queue.getJob(`outbox-${databaseId}-${row.id}-1`);
        expect(job).toBeDefined();
        expect(job!.name).toBe('registry.event');
        expect(job!.data).toEqual(row.payload);
      }
      expect(rows.map((r: { payload: { eventId: string } }) => r.payload.eventId).sort()).toEqual(events.map((e) => e.id).sort());
    } finally {
      await queue.close();
    }
  });
});
