import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { JobPayloads, queueForTopic } from '../queue/queues';

/** Writes outbox rows; always inside the caller's transaction (nothing is enqueued before commit). */
@Injectable()
export class OutboxService {
  async add<T extends keyof JobPayloads>(em: EntityManager, topic: T, payload: JobPayloads[T]): Promise<string> {
    queueForTopic(topic);
    if (!em.queryRunner?.isTransactionActive) throw new Error('outbox rows must be written inside a transaction');
    const [row]: Array<{ id: string }> = await em.query('INSERT INTO outbox (topic, payload) VALUES ($1, $2) RETURNING id::text AS id', [
      topic,
      JSON.stringify(payload),
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
      [topic, JSON.stringify(payloads)],
    );
  }
}
