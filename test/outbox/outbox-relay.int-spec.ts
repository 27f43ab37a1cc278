import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/common/database/data-source.factory';
import { dropDatabase, ensureDatabase } from '../../src/common/database/database-url';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import { outboxJobId } from '../../src/common/outbox/outbox-delivery';
import { OutboxRelay } from '../../src/common/outbox/outbox-relay';
import { QueueName } from '../../src/common/queue/queues';
import { appDataSourceParts } from '../../src/data-source-parts';
import { createTestDb, REDIS_URL, TEMPLATE_DB, TestDb, testQueuePrefix } from '../support/services';

const open = (url: string) => new DataSource(dataSourceOptions(appDataSourceParts(url, 'test-outbox-relay'))).initialize();

async function addEvent(ds: DataSource, eventId: string): Promise<string> {
  return ds.transaction((em) => new OutboxService().add(em, 'registry.event', { eventId, kind: 'CEASED' }));
}

const identity = async (ds: DataSource) => (await ds.query(`SELECT id FROM database_identity`))[0].id as string;

describe(OutboxRelay.name, () => {
  let redis: IORedis;
  const opened: Array<{ ds: DataSource; db?: TestDb; relay?: OutboxRelay }> = [];
  beforeAll(() => {
    redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    for (const o of opened) {
      await o.relay?.stop();
      if (o.ds.isInitialized) await o.ds.destroy();
      await o.db?.drop();
    }
    redis.disconnect();
  });

  describe('job ids', () => {
    it('differ between two databases under one QUEUE_PREFIX, though their outbox rows have the same ids', async () => {
      const prefix = testQueuePrefix('relay-two-dbs');
      const [a, b] = await Promise.all([createTestDb('relay-a'), createTestDb('relay-b')]);
      const dsA = await open(a.url);
      const dsB = await open(b.url);
      const relayA = new OutboxRelay(dsA, redis, prefix);
      const relayB = new OutboxRelay(dsB, redis, prefix);
      opened.push({ ds: dsA, db: a, relay: relayA }, { ds: dsB, db: b, relay: relayB });
      const rowA = await addEvent(dsA, '1');
      const rowB = await addEvent(dsB, '2');
      expect(rowA).toBe(rowB); // two fresh databases: the same row id
      expect(await relayA.drain()).toBe(1);
      expect(await relayB.drain()).toBe(1);
      // Both were copied from one template: each took an identity of its own at its first use.
      const [idA, idB] = [await identity(dsA), await identity(dsB)];
      expect(idA).not.toBe(idB);
      const q = relayA.queue(QueueName.RegistryEvents);
      const jobs = await q.getJobs(['waiting']);
      expect(jobs.map((j) => j.id).sort()).toEqual([outboxJobId(idA, rowA, 1), outboxJobId(idB, rowB, 1)].sort());
      expect(jobs.map((j) => j.data.eventId).sort()).toEqual(['1', '2']);
    });

    it('of a database dropped and created again with the same name do not collide with the jobs kept from the old one', async () => {
      const prefix = testQueuePrefix('relay-recreated');
      const db = await createTestDb('relay-recreated');
      let ds = await open(db.url);
      const relay1 = new OutboxRelay(ds, redis, prefix);
      const row1 = await addEvent(ds, 'old');
      await relay1.drain();
      const old = await identity(ds);
      await relay1.stop();
      await ds.destroy();
      // The same name, the same QUEUE_PREFIX: the old job is still in Redis.
      await dropDatabase(db.url);
      await ensureDatabase(db.url, TEMPLATE_DB);
      ds = await open(db.url);
      const relay2 = new OutboxRelay(ds, redis, prefix);
      opened.push({ ds, db, relay: relay2 });
      const row2 = await addEvent(ds, 'new');
      expect(row2).toBe(row1);
      await relay2.drain();
      const now = await identity(ds);
      expect(now).not.toBe(old);
      const q = relay2.queue(QueueName.RegistryEvents);
      expect((await q.getJob(outboxJobId(old, row1, 1)))?.data.eventId).toBe('old');
      expect((await q.getJob(outboxJobId(now, row2, 1)))?.data.eventId).toBe('new');
    });
  });

  describe('redelivery', () => {
    let ds: DataSource;
    let relay: OutboxRelay;
    let queue: Queue;
    let db: TestDb;
    beforeAll(async () => {
      db = await createTestDb('relay-redelivery');
      ds = await open(db.url);
      relay = new OutboxRelay(ds, redis, testQueuePrefix('relay-redelivery'), { redeliverySeconds: 1 });
      opened.push({ ds, db, relay });
      queue = relay.queue(QueueName.RegistryEvents);
    });
    const row = async (id: string) =>
      (
        await ds.query(
          `SELECT attempts, published_at IS NOT NULL AS relayed, consumed_at IS NOT NULL AS consumed FROM outbox WHERE id = $1`,
          [id],
        )
      )[0];

    it('leaves alone a message whose job is still waiting, and relays again, as a new job, one whose job was lost', async () => {
      const id = await addEvent(ds, 'e1');
      await relay.drain();
      const dbId = await identity(ds);
      expect(await row(id)).toEqual({ attempts: 1, relayed: true, consumed: false });
      await ds.query(`UPDATE outbox SET published_at = now() - interval '2 seconds' WHERE id = $1`, [id]);
      await relay.drain();
      expect((await row(id)).attempts).toBe(1); // its job waits: not lost
      expect(await queue.getJobState(outboxJobId(dbId, id, 1))).toBe('waiting');

      await queue.remove(outboxJobId(dbId, id, 1)); // as after a FLUSHALL
      await relay.drain();
      expect((await row(id)).attempts).toBe(1); // not due yet: relayed less than a second ago
      await ds.query(`UPDATE outbox SET published_at = now() - interval '2 seconds' WHERE id = $1`, [id]);
      await relay.drain();
      expect((await row(id)).attempts).toBe(2);
      expect((await queue.getJob(outboxJobId(dbId, id, 2)))?.data).toEqual({ eventId: 'e1', kind: 'CEASED' });
    });

    it('never relays again a consumed message, nor one refused for good', async () => {
      const consumed = await addEvent(ds, 'e2');
      const refused = await addEvent(ds, 'e3');
      await relay.drain();
      await ds.transaction((em) => new OutboxService().markConsumed(em, { id: outboxJobId('ffff', consumed, 1) }));
      await ds.query(`UPDATE outbox SET failed_at = now(), last_error = 'bad input' WHERE id = $1`, [refused]);
      await ds.query(`UPDATE outbox SET published_at = now() - interval '1 hour' WHERE id = ANY($1::bigint[])`, [[consumed, refused]]);
      const dbId = await identity(ds);
      for (const j of await queue.getJobs(['waiting'])) await j.remove();
      await relay.drain();
      expect((await row(consumed)).attempts).toBe(1);
      expect((await row(refused)).attempts).toBe(1);
      expect(await queue.getJob(outboxJobId(dbId, consumed, 2))).toBeUndefined();
    });

    it('holds no transaction while Redis does not answer, and gives the rows back for the next tick', async () => {
      const dead = new IORedis('redis://127.0.0.1:1', {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        lazyConnect: true,
        retryStrategy: () => null,
      });
      dead.on('error', () => undefined);
      const down = new OutboxRelay(ds, dead, 'unused', {});
      const id = await addEvent(ds, 'e4');
      const t = Date.now();
      await expect(down.relayOnce()).rejects.toThrow();
      expect(Date.now() - t).toBeLessThan(3000);
      expect(await row(id)).toEqual({ attempts: 1, relayed: false, consumed: false });
      const open: Array<{ n: number }> = await ds.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      );
      expect(open[0].n).toBe(0);
      await down.stop();
      dead.disconnect();
      await relay.drain();
      expect(await row(id)).toEqual({ attempts: 2, relayed: true, consumed: false });
    });
  });
});
