import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PurgeOptions, purgeInBatches } from '../database/purge';
import { currentRequestId, REQUEST_ID_PAYLOAD_KEY } from '../logging/request-context';
import { JobPayloads, queueForTopic } from '../queue/queues';
import { parseOutboxJobId } from './outbox-delivery';

/** The payload, with the id of the request (or job) that causes it, if any: its job runs under that id. */
function stampRequestId<P extends object>(payload: P): P {
  const requestId = currentRequestId();
  return requestId ? { ...payload, [REQUEST_ID_PAYLOAD_KEY]: requestId } : payload;
}

/** Writes outbox rows; always inside the caller's transaction (nothing is enqueued before commit). */
@Injectable()
export class OutboxService {
  async add<T extends keyof JobPayloads>(em: EntityManager, topic: T, payload: JobPayloads[T]): Promise<string> {
    queueForTopic(topic);
    if (!em.queryRunner?.isTransactionActive) throw new Error('outbox rows must be written inside a transaction');
    const [row]: Array<{ id: string }> = await em.query('INSERT INTO outbox (topic, payload) VALUES ($1, $2) RETURNING id::text AS id', [
      topic,
      JSON.stringify(stampRequestId(payload)),
    ]);
    return row.id;
  }

  /** One row per payload, in their order, in one statement (the registry import's events). */
  async addMany<T extends keyof JobPayloads>(em: EntityManager, topic: T, payloads: Array<JobPayloads[T]>): Promise<void> {
    queueForTopic(topic);
    if (!em.queryRunner?.isTransactionActive) throw new Error('outbox rows must be written inside a transaction');
    if (!payloads.length) return;
    await em.query(
      `INSERT INTO outbox (topic, payload)
       SELECT $1, p FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS x(p, i) ORDER BY i`,
      [topic, JSON.stringify(payloads.map(stampRequestId))],
    );
  }

  /**
   * The one helper a consumer calls, inside the transaction of its work: the message that
   * `job` delivers is consumed when (and only when) that work commits, so it is relayed again
   * if the work never happened. (The queue workers mark it after the handler too, for the
   * handlers whose work is not one transaction; a job not from the outbox is ignored.)
   */
  async markConsumed(em: EntityManager, job: { id?: string } | null | undefined): Promise<void> {
    const d = parseOutboxJobId(job?.id);
    if (!d) return;
    await this.markConsumedIds(em, [d.rowId]);
  }

  /** The messages of a topic not consumed yet (for a consumer whose one run answers them all, as a delta CRL does). */
  async unconsumed(em: Pick<EntityManager, 'query'>, topic: keyof JobPayloads): Promise<string[]> {
    const rows: Array<{ id: string }> = await em.query(
      `SELECT id::text AS id FROM outbox WHERE topic = $1 AND consumed_at IS NULL AND failed_at IS NULL`,
      [topic],
    );
    return rows.map((r) => r.id);
  }

  /**
   * The messages of `topic` not consumed yet, locked for the caller's transaction (skipping those
   * another holds): a consumer that catches up inline, ahead of their delivery by the queue.
   */
  async unconsumedMessages<T extends keyof JobPayloads>(
    em: Pick<EntityManager, 'query'>,
    topic: T,
    limit = 1000,
  ): Promise<Array<{ id: string; payload: JobPayloads[T] }>> {
    return em.query(
      `SELECT id::text AS id, payload FROM outbox WHERE topic = $1 AND consumed_at IS NULL AND failed_at IS NULL
        ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [topic, limit],
    );
  }

  async markConsumedIds(em: Pick<EntityManager, 'query'>, ids: string[]): Promise<void> {
    if (!ids.length) return;
    await em.query(
      `UPDATE outbox SET consumed_at = now(), published_at = COALESCE(published_at, now())
        WHERE id = ANY($1::bigint[]) AND consumed_at IS NULL`,
      [ids],
    );
  }

  /**
   * Retention, in batches: deletes the messages consumed before `consumedBefore` (RETENTION_OUTBOX_DAYS), and those
   * refused for good (failed: listed in GET /api/v1/jobs, counted in /metrics) before `failedBefore`
   * (RETENTION_JOB_RUNS_DAYS, as failed job runs); a message still pending (neither consumed nor failed) never goes.
   */
  async purgeDone(em: Pick<EntityManager, 'query'>, consumedBefore: Date, failedBefore: Date, o: PurgeOptions): Promise<number> {
    return (
      (await purgeInBatches(em, { table: 'outbox', where: 'consumed_at < $1', oldestFirst: 'consumed_at' }, consumedBefore, o)) +
      (await purgeInBatches(em, { table: 'outbox', where: 'failed_at < $1' }, failedBefore, o))
    );
  }
}
