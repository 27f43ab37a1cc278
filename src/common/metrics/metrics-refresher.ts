import { Queue } from 'bullmq';
import type IORedis from 'ioredis';
import type { DataSource } from 'typeorm';
import { JOB_KINDS } from '../jobs/job-run.entity';
import type { OutboxMonitor } from '../outbox/outbox-monitor';
import { withinMs } from '../queue/queue.errors';
import { QueueName } from '../queue/queues';
import { readScheduleNextRuns } from '../queue/schedule-keeper';
import {
  jobRuns,
  outboxMessages,
  outboxOldestAge,
  outboxPending,
  queueJobs,
  queueReachable,
  registry,
  scheduleNextRun,
  watchPool,
} from './metrics';

const UNFINISHED_JOB_STATES = ['queued', 'running', 'held'] as const;

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
const OUTBOX_STATES = ['pending', 'unconsumed', 'retrying', 'failed'] as const;
/** The outbox and queue gauges are refreshed at most this often: /metrics is public, a flood of scrapes must not reach the database. */
export const METRICS_REFRESH_MS = 5000;

/**
 * What every process's /metrics serves (the API's route, the worker's WORKER_METRICS_PORT):
 * the registry, with the gauges read from PostgreSQL and Redis (outbox, queues) refreshed at
 * most every METRICS_REFRESH_MS (concurrent scrapes share the refresh under way), and the
 * process's main database pool watched.
 */
export class MetricsRefresher {
  /** The refresh under way: scrapes meanwhile wait for it. */
  private inFlight: Promise<void> | null = null;
  private refreshedAt = Number.NEGATIVE_INFINITY;
  /** One Queue per queue name, made on the first scrape and kept (on the shared Redis connection). */
  private queues: Queue[] | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly outbox: Pick<OutboxMonitor, 'counts'>,
    private readonly redis: IORedis,
    private readonly queuePrefix: string,
  ) {
    // TypeORM's postgres driver keeps its pg Pool as `master`.
    watchPool('main', () => (ds.driver as unknown as { master?: import('pg').Pool }).master);
  }

  /** The registry's text, the gauges refreshed first if due. */
  async metrics(): Promise<string> {
    await this.refresh();
    return registry.metrics();
  }

  async close(): Promise<void> {
    const queues = this.queues ?? [];
    this.queues = null;
    await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
  }

  private refresh(now = Date.now()): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (now - this.refreshedAt < METRICS_REFRESH_MS) return Promise.resolve();
    // The database or Redis being down must not hide the other metrics.
    this.inFlight = Promise.all([
      this.outboxMetrics().catch(() => undefined),
      this.jobRunMetrics().catch(() => undefined),
      this.queueMetrics(),
    ])
      .then(() => undefined)
      .finally(() => {
        this.refreshedAt = Date.now();
        this.inFlight = null;
      });
    return this.inFlight;
  }

  private async outboxMetrics(): Promise<void> {
    // The oldest message not done: the oldest not relayed (by id, its partial index) or relayed and not consumed (its partial index).
    const [r] = await this.ds.query(
      `SELECT (SELECT count(*)::int FROM outbox WHERE published_at IS NULL AND consumed_at IS NULL) AS n,
              COALESCE(EXTRACT(EPOCH FROM now() - LEAST(
                (SELECT created_at FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 1),
                (SELECT min(created_at) FROM outbox WHERE consumed_at IS NULL AND failed_at IS NULL AND published_at IS NOT NULL)
              )), 0)::float8 AS age`,
    );
    outboxPending.set(r.n);
    outboxOldestAge.set(Math.max(0, Number(r.age)));
    outboxMessages.reset();
    for (const name of Object.values(QueueName)) {
      for (const state of OUTBOX_STATES) outboxMessages.set({ queue: name, state }, 0);
    }
    for (const c of await this.outbox.counts()) {
      for (const state of OUTBOX_STATES) outboxMessages.set({ queue: c.queue, state }, c[state]);
    }
  }

  /** Job runs not finished, per kind and state (0 for each pair with none): a held import shows here. */
  private async jobRunMetrics(): Promise<void> {
    const rows: Array<{ kind: string; state: string; n: number }> = await this.ds.query(
      `SELECT kind, state, count(*)::int AS n FROM job_run WHERE state IN ('queued', 'running', 'held') GROUP BY kind, state`,
    );
    jobRuns.reset();
    for (const kind of JOB_KINDS) for (const state of UNFINISHED_JOB_STATES) jobRuns.set({ kind, state }, 0);
    for (const r of rows) jobRuns.set({ kind: r.kind, state: r.state }, r.n);
  }

  private async queueMetrics(): Promise<void> {
    try {
      this.queues ??= Object.values(QueueName).map((name) => {
        const q = new Queue(name, { connection: this.redis, prefix: this.queuePrefix });
        q.on('error', () => undefined); // reported by the call that failed
        return q;
      });
      for (const q of this.queues) {
        const counts = await withinMs(q.getJobCounts(...JOB_STATES), 2000);
        for (const state of JOB_STATES) queueJobs.set({ queue: q.name, state }, counts[state] ?? 0);
      }
      // The daily schedules' next runs, as Redis holds them: 0 for one missing.
      const byName = new Map(this.queues.map((q) => [q.name, q]));
      const next = await readScheduleNextRuns((name) => byName.get(name) as Queue);
      for (const [schedule, at] of Object.entries(next)) scheduleNextRun.set({ schedule }, (at ?? 0) / 1000);
      queueReachable.set(1);
    } catch {
      queueReachable.set(0);
    }
  }
}
