import { JobsOptions, Queue } from 'bullmq';
import type IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { QueueName, queueForTopic } from '../queue/queues';

export interface RelayLogger {
  warn(obj: object, msg: string): void;
}

/** The job id of an outbox row: deterministic, so a re-relay after a crash adds nothing twice. */
export function outboxJobId(rowId: string): string {
  return `outbox-${rowId}`;
}

/**
 * Turns unpublished outbox rows into BullMQ jobs (jobId = row id), then marks them published.
 * Several relays may run at once: rows are claimed with FOR UPDATE SKIP LOCKED.
 */
export class OutboxRelay {
  private readonly queues = new Map<QueueName, Queue>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly connection: IORedis,
    private readonly prefix: string,
    private readonly batch = 500,
    private readonly logger?: RelayLogger,
    private readonly topicOptions: (topic: string) => Partial<JobsOptions> = () => ({}),
  ) {}

  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix });
      this.queues.set(name, q);
    }
    return q;
  }

  /** Relays one batch; returns how many rows were published. */
  async relayOnce(): Promise<number> {
    return this.ds.transaction(async (em) => {
      const rows: Array<{ id: string; topic: string; payload: Record<string, unknown> }> = await em.query(
        `SELECT id::text AS id, topic, payload FROM outbox
          WHERE published_at IS NULL ORDER BY outbox.id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batch],
      );
      if (!rows.length) return 0;
      const byQueue = new Map<QueueName, typeof rows>();
      for (const r of rows) {
        const q = queueForTopic(r.topic);
        byQueue.set(q, [...(byQueue.get(q) ?? []), r]);
      }
      for (const [q, list] of byQueue) {
        await this.queue(q).addBulk(
          list.map((r) => ({
            name: r.topic,
            data: r.payload,
            opts: {
              jobId: outboxJobId(r.id),
              attempts: 5,
              backoff: { type: 'exponential', delay: 1000 },
              removeOnComplete: { age: 7 * 24 * 3600, count: 100_000 },
              removeOnFail: false,
              ...this.topicOptions(r.topic),
            },
          })),
        );
      }
      await em.query('UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])', [
        rows.map((r) => r.id),
      ]);
      return rows.length;
    });
  }

  /** Relays until the outbox is empty. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.relayOnce();
      total += n;
      if (n === 0) return total;
    }
  }

  start(intervalMs: number): void {
    const tick = async () => {
      try {
        this.running = this.drain();
        await this.running;
      } catch (err) {
        this.logger?.warn({ err }, 'outbox relay failed; will retry');
      } finally {
        this.running = null;
        if (this.timer) this.timer = setTimeout(tick, intervalMs);
      }
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
