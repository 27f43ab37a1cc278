import type { EntityManager } from 'typeorm';

/**
 * Outbox deliveries: job ids, and the database identity they carry.
 *
 * A job id is `outbox-<database identity>-<row id>-<delivery n>`: unique per database (a
 * database dropped and created again, or another database under the same QUEUE_PREFIX,
 * never collides with the jobs BullMQ still keeps), and per delivery (a redelivery is a new
 * job, never dropped as a duplicate of the first).
 */
export interface OutboxDelivery {
  databaseId: string;
  rowId: string;
  delivery: number;
}

export function outboxJobId(databaseId: string, rowId: string, delivery: number): string {
  return `outbox-${databaseId}-${rowId}-${delivery}`;
}

/** The delivery a job id names; null for a job that does not come from the outbox (schedulers, CLI). */
export function parseOutboxJobId(jobId: string | undefined | null): OutboxDelivery | null {
  const m = /^outbox-([0-9a-f]+)-(\d+)-(\d+)$/.exec(jobId ?? '');
  return m ? { databaseId: m[1], rowId: m[2], delivery: Number(m[3]) } : null;
}

/**
 * The database's identity: a random id stored once (migration OutboxDelivery), tied to the
 * database's oid. A copy of the database (CREATE DATABASE ... TEMPLATE, a restore) has
 * another oid: it is a new database, and takes a new id here, at its first use.
 */
export async function databaseIdentity(em: Pick<EntityManager, 'query'>): Promise<string> {
  const renewed: Array<{ id: string }> = await em.query(
    `INSERT INTO database_identity (id, database_oid)
     SELECT substr(md5(gen_random_uuid()::text), 1, 16), oid::bigint FROM pg_database WHERE datname = current_database()
     ON CONFLICT (singleton) DO UPDATE SET id = EXCLUDED.id, database_oid = EXCLUDED.database_oid, created_at = now()
      WHERE database_identity.database_oid <> EXCLUDED.database_oid
     RETURNING id`,
  );
  if (renewed.length) return renewed[0].id;
  const [row]: Array<{ id: string }> = await em.query(`SELECT id FROM database_identity`);
  return row.id;
}

/**
 * What the queue workers record of a delivery, after its handler ran: consumed (a no-op when
 * the handler already marked it in its own transaction, as it should), or its error (and,
 * for an error that retrying cannot fix, failed for good: never relayed again).
 */
export class DeliveryRecorder {
  private databaseId: Promise<string> | null = null;

  constructor(private readonly ds: Pick<EntityManager, 'query'>) {}

  /** The delivery of a job of this database (null: not from the outbox; throws: from another database). */
  async of(jobId: string | undefined): Promise<OutboxDelivery | null> {
    const d = parseOutboxJobId(jobId);
    if (!d) return null;
    this.databaseId ??= databaseIdentity(this.ds).catch((e) => {
      this.databaseId = null;
      throw e;
    });
    const mine = await this.databaseId;
    if (d.databaseId !== mine) {
      throw new Error(
        `job ${jobId} comes from another database (identity ${d.databaseId}; this worker's is ${mine}): two databases share one QUEUE_PREFIX`,
      );
    }
    return d;
  }

  async consumed(d: OutboxDelivery): Promise<void> {
    await this.ds.query(
      `UPDATE outbox SET consumed_at = now(), published_at = COALESCE(published_at, now()) WHERE id = $1 AND consumed_at IS NULL`,
      [d.rowId],
    );
  }

  async failed(d: OutboxDelivery, error: string, forGood: boolean): Promise<void> {
    await this.ds.query(
      `UPDATE outbox SET last_error = $2, failed_at = CASE WHEN $3 THEN now() ELSE failed_at END
        WHERE id = $1 AND consumed_at IS NULL`,
      [d.rowId, error.slice(0, 2000), forGood],
    );
  }
}
