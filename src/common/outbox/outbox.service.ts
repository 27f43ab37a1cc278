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
}
