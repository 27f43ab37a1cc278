import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queueForTopic } from '../queue/queues';

export interface OutboxCounts {
  queue: string;
  /** Written, not relayed yet. */
  pending: number;
  /** Relayed, not consumed yet (waiting, running, or to be relayed again). */
  unconsumed: number;
  /** Not consumed, and its last delivery failed: it is relayed again after OUTBOX_REDELIVERY_SECONDS. */
  retrying: number;
  /** Refused for good by its consumer (an error that retrying cannot fix): never relayed again. */
  failed: number;
}

export interface FailedMessage {
  id: string;
  topic: string;
  queue: string;
  payload: Record<string, unknown>;
  deliveries: number;
  state: 'retrying' | 'failed';
  error: string;
  createdAt: Date;
  lastRelayedAt: Date | null;
  failedAt: Date | null;
}

function queueOf(topic: string): string {
  try {
    return queueForTopic(topic);
  } catch {
    return 'unknown';
  }
}

/** What the outbox holds that is not done: for /metrics and GET /api/v1/jobs. */
@Injectable()
export class OutboxMonitor {
  constructor(private readonly ds: DataSource) {}

  async counts(): Promise<OutboxCounts[]> {
    const rows: Array<{ topic: string; pending: number; unconsumed: number; retrying: number; failed: number }> = await this.ds.query(
      `SELECT topic,
              count(*) FILTER (WHERE published_at IS NULL AND consumed_at IS NULL)::int AS pending,
              count(*) FILTER (WHERE published_at IS NOT NULL AND consumed_at IS NULL AND failed_at IS NULL)::int AS unconsumed,
              count(*) FILTER (WHERE consumed_at IS NULL AND failed_at IS NULL AND last_error IS NOT NULL)::int AS retrying,
              count(*) FILTER (WHERE failed_at IS NOT NULL AND consumed_at IS NULL)::int AS failed
         FROM outbox WHERE consumed_at IS NULL GROUP BY topic`,
    );
    const byQueue = new Map<string, OutboxCounts>();
    for (const r of rows) {
      const queue = queueOf(r.topic);
      const c = byQueue.get(queue) ?? { queue, pending: 0, unconsumed: 0, retrying: 0, failed: 0 };
      c.pending += r.pending;
      c.unconsumed += r.unconsumed;
      c.retrying += r.retrying;
      c.failed += r.failed;
      byQueue.set(queue, c);
    }
    return [...byQueue.values()];
  }

  /** Messages whose delivery failed (with their error), newest first. */
  async failures(limit = 100): Promise<FailedMessage[]> {
    const rows: Array<Omit<FailedMessage, 'queue' | 'state'> & { failed: boolean }> = await this.ds.query(
      `SELECT id::text AS id, topic, payload, attempts AS deliveries, last_error AS error, created_at AS "createdAt",
              published_at AS "lastRelayedAt", failed_at AS "failedAt", failed_at IS NOT NULL AS failed
         FROM outbox WHERE last_error IS NOT NULL AND consumed_at IS NULL ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.map(({ failed, ...r }) => ({ ...r, queue: queueOf(r.topic), state: failed ? 'failed' : 'retrying' }));
  }
}
