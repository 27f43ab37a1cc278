import { JobsOptions, Queue } from 'bullmq';
import type IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { rowsReturned } from '../database/returning';
import { QueueName, queueForTopic } from '../queue/queues';
import { databaseIdentity, outboxJobId } from './outbox-delivery';

export interface RelayLogger {
  warn(obj: object, msg: string): void;
}

export interface RelayOptions {
  /** Rows per batch. */
  batch?: number;
  /** A message relayed but not consumed this long after is relayed again (OUTBOX_REDELIVERY_SECONDS). */
  redeliverySeconds?: number;
  /** A failed job is kept this long (removeOnFail; RETENTION_FAILED_JOBS_DAYS); 30 days unless given. */
  failedJobSeconds?: number;
  logger?: RelayLogger;
  /** Job options of a topic beyond the relay's defaults (the CRL delta debounce). */
  topicOptions?: (topic: string) => Partial<JobsOptions>;
}

/** States of a job that is still on its way (not lost, not finished). */
const IN_FLIGHT = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

interface Claimed {
  id: string;
  topic: string;
  payload: Record<string, unknown>;
  attempts: number;
  /** published_at before this claim: null for a first delivery. */
  prev: Date | null;
}

/**
 * Turns outbox rows into BullMQ jobs, and relays again the messages that were relayed but
 * not consumed after `redeliverySeconds` (their job failed all its attempts, or Redis lost
 * it); a message whose job is still waiting or running is left alone.
 *
 * No transaction is held while Redis is called: rows are claimed by one statement (which
 * stamps published_at, so that another relay skips them), then their jobs are added; if the
 * add fails (Redis unreachable), the claim is undone and the rows go again at the next tick.
 * Several relays may run at once (FOR UPDATE SKIP LOCKED).
 */
export class OutboxRelay {
  private readonly queues = new Map<QueueName, Queue>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private databaseId: string | null = null;
  private readonly batch: number;
  private readonly redeliverySeconds: number;

  constructor(
    private readonly ds: DataSource,
    private readonly connection: IORedis,
    private readonly prefix: string,
    private readonly o: RelayOptions = {},
  ) {
    this.batch = o.batch ?? 500;
    this.redeliverySeconds = o.redeliverySeconds ?? 300;
  }

  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix });
      // Redis away: the relay's own calls fail and say so; the connection's events must not crash the process.
      q.on('error', () => undefined);
      this.queues.set(name, q);
    }
    return q;
  }

  /** This database's identity (part of every job id). */
  async identity(): Promise<string> {
    this.databaseId ??= await databaseIdentity(this.ds);
    return this.databaseId;
  }

  /** Relays one batch; returns how many rows were claimed (delivered, or found still in flight). */
  async relayOnce(): Promise<number> {
    const databaseId = await this.identity();
    const claimed = await rowsReturned<Claimed>(
      this.ds,
      `UPDATE outbox o SET published_at = now()
         FROM (SELECT id, published_at AS prev FROM outbox
                WHERE published_at IS NULL
                   OR (consumed_at IS NULL AND failed_at IS NULL AND published_at < now() - make_interval(secs => $2))
                ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) c
        WHERE o.id = c.id
       RETURNING o.id::text AS id, o.topic, o.payload, o.attempts, c.prev`,
      [this.batch, this.redeliverySeconds],
    );
    if (!claimed.length) return 0;
    try {
      const due: Claimed[] = [];
      for (const r of claimed) {
        if (r.prev && r.attempts > 0) {
          const state = await this.queue(queueForTopic(r.topic)).getJobState(outboxJobId(databaseId, r.id, r.attempts));
          if (IN_FLIGHT.has(state)) continue; // still on its way: look again after another delay
        }
        due.push(r);
      }
      if (!due.length) return claimed.length;
      // The delivery number is counted before the add: a crash between the two makes the next delivery a new job id.
      const numbered = await rowsReturned<{ id: string; attempts: number }>(
        this.ds,
        `UPDATE outbox SET attempts = attempts + 1 WHERE id = ANY($1::bigint[]) RETURNING id::text AS id, attempts`,
        [due.map((r) => r.id)],
      );
      const delivery = new Map(numbered.map((n) => [n.id, n.attempts]));
      const byQueue = new Map<QueueName, Claimed[]>();
      for (const r of due) {
        const q = queueForTopic(r.topic);
        byQueue.set(q, [...(byQueue.get(q) ?? []), r]);
      }
      for (const [q, list] of byQueue) {
        await this.queue(q).addBulk(
          list.map((r) => ({
            name: r.topic,
            data: r.payload,
            opts: {
              jobId: outboxJobId(databaseId, r.id, delivery.get(r.id) ?? r.attempts + 1),
              attempts: 5,
              backoff: { type: 'exponential', delay: 1000 },
              removeOnComplete: { age: 7 * 24 * 3600, count: 100_000 },
              removeOnFail: { age: this.o.failedJobSeconds ?? 30 * 24 * 3600 },
              ...this.o.topicOptions?.(r.topic),
            },
          })),
        );
      }
      return claimed.length;
    } catch (err) {
      // Redis unreachable (or slow): undo the claim, so that the rows go again at the next tick.
      await this.ds
        .query(
          `UPDATE outbox o SET published_at = c.prev
             FROM unnest($1::bigint[], $2::timestamptz[]) AS c(id, prev) WHERE o.id = c.id`,
          [claimed.map((r) => r.id), claimed.map((r) => r.prev)],
        )
        .catch(() => undefined);
      throw err;
    }
  }

  /** Relays until nothing is due. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.relayOnce();
      total += n;
      if (n < this.batch) return total;
    }
  }

  start(intervalMs: number): void {
    const tick = async () => {
      try {
        this.running = this.drain();
        await this.running;
      } catch (err) {
        this.o.logger?.warn({ err }, 'outbox relay failed; will retry');
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
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
  }
}
