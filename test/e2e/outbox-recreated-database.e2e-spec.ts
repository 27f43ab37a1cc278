import { join } from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { MIGRATIONS } from '../../migrations';
import { dropDatabase, ensureDatabase } from '../../src/common/database/database-url';
import { outboxJobId } from '../../src/common/outbox/outbox-delivery';
import { eventually, runCli, startWorker } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const day2 = join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');

interface Round {
  databaseId: string;
  outboxIds: string[];
  orders: Array<{ national_id: string; reason: string; status: string }>;
}

/**
 * Issue 9, item 4: a database dropped and created again under the same QUEUE_PREFIX, on the
 * same Redis (never flushed), numbers its outbox rows from 1 again. Its jobs must not be
 * taken for the old database's completed jobs (BullMQ drops a job whose id it still holds).
 */
describe('outbox jobs of a database created again, same QUEUE_PREFIX, same Redis', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let redis: IORedis;

  beforeAll(async () => {
    db = await createTestDb('recreated');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('recreated'), OUTBOX_RELAY_INTERVAL_MS: '100' };
    redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    redis?.disconnect();
    await db?.drop();
  });

  /** Registry, cards, then the second extract: the worker makes the orders of its events (CLI + worker, real processes). */
  const round = async (): Promise<Round> => {
    expect((await runCli(['rpps:import', day1, '--json'], env)).json?.status).toBe('baseline');
    expect((await runCli(['cards:import', holders, '--json'], env)).code).toBe(0);
    const worker = startWorker(env);
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      expect((await runCli(['rpps:import', day2, '--json'], env)).json?.status).toBe('applied');
      const rows = (await pg.query(`SELECT id::text AS id FROM outbox WHERE topic = 'registry.event' ORDER BY id`)).rows;
      expect(rows.length).toBeGreaterThan(0);
      await eventually(
        async () =>
          (await pg.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'registry.event' AND consumed_at IS NULL`)).rows[0].n === 0,
        60_000,
        'the worker to consume the registry events',
      );
      const orders = (await pg.query(`SELECT national_id, reason, status FROM card_order ORDER BY national_id, reason`)).rows;
      const [{ id: databaseId }] = (await pg.query(`SELECT id FROM database_identity`)).rows;
      return { databaseId, outboxIds: rows.map((r) => r.id as string), orders };
    } finally {
      await pg.end();
      await worker.stop();
    }
  };

  it('makes the orders of the next registry import again, its jobs not dropped as duplicates of the old ones', async () => {
    const first = await round();
    expect(first.orders.length).toBeGreaterThan(0);

    // Drop, create (empty: no template) and migrate, under the same name, QUEUE_PREFIX and Redis.
    await dropDatabase(db.url);
    expect(await ensureDatabase(db.url)).toBe(true);
    const migrate = await runCli(['tokens:list', '--json'], env); // every entry point applies pending migrations first
    expect(migrate.code).toBe(0);
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      expect((await pg.query(`SELECT count(*)::int AS n FROM schema_migrations`)).rows[0].n).toBe(MIGRATIONS.length);
      expect((await pg.query(`SELECT count(*)::int AS n FROM card_order`)).rows[0].n).toBe(0);
    } finally {
      await pg.end();
    }

    const second = await round();
    expect(second.orders).toEqual(first.orders);
    expect(second.databaseId).not.toBe(first.databaseId);
    // Row ids taken again: only the database identity tells those jobs from the old ones,
    // which Redis still holds, completed, next to the new ones.
    const reused = second.outboxIds.filter((id) => first.outboxIds.includes(id));
    expect(reused.length).toBeGreaterThanOrEqual(second.outboxIds.length - 1);
    const queue = new Queue('registry-events', { connection: redis, prefix: env.QUEUE_PREFIX });
    try {
      for (const id of reused) {
        expect(await queue.getJobState(outboxJobId(first.databaseId, id, 1))).toBe('completed');
        expect(await queue.getJobState(outboxJobId(second.databaseId, id, 1))).toBe('completed');
      }
    } finally {
      await queue.close();
    }
  });
});
