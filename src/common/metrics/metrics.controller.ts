import { Controller, Get, Header, Inject, OnModuleDestroy } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Queue } from 'bullmq';
import type IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '../auth/roles.decorator';
import { REDIS } from '../common.module';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { OutboxMonitor } from '../outbox/outbox-monitor';
import { withinMs } from '../queue/queue.errors';
import { QueueName } from '../queue/queues';
import { readScheduleNextRuns } from '../queue/schedule-keeper';
import { outboxMessages, outboxPending, queueJobs, queueReachable, registry } from './metrics';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
/** The outbox and queue gauges are refreshed at most this often: /metrics is public, a flood of scrapes must not reach the database. */
export const METRICS_REFRESH_MS = 5000;

@ApiExcludeController()
@Controller('metrics')
export class MetricsController implements OnModuleDestroy {
  /** The refresh under way: scrapes meanwhile wait for it. */
  private inFlight: Promise<void> | null = null;
  private refreshedAt = Number.NEGATIVE_INFINITY;
  /** One Queue per queue name, made on the first scrape and kept (on the shared Redis connection). */
  private queues: Queue[] | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly outbox: OutboxMonitor,
    @Inject(REDIS) private readonly redis: IORedis,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  @Get()
  @Public()
  @Header('Content-Type', registry.contentType)
  async metrics(): Promise<string> {
    await this.refresh();
    return registry.metrics();
  }

  async onModuleDestroy(): Promise<void> {
    const queues = this.queues ?? [];
    this.queues = null;
    await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
  }

  /**
   * Refreshes the outbox and queue gauges unless they were refreshed less than
   * METRICS_REFRESH_MS ago; concurrent scrapes share the refresh under way.
   */
  private refresh(now = Date.now()): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (now - this.refreshedAt < METRICS_REFRESH_MS) return Promise.resolve();
    // The database or Redis being down must not hide the other metrics.
    this.inFlight = Promise.all([this.outboxMetrics().catch(() => undefined), this.queueMetrics()])
      .then(() => undefined)
      .finally(() => {
        this.refreshedAt = Date.now();
        this.inFlight = null;
      });
    return this.inFlight;
  }

  private async outboxMetrics(): Promise<void> {
    const [r] = await this.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL AND consumed_at IS NULL`);
    outboxPending.set(r.n);
    outboxMessages.reset();
    for (const name of Object.values(QueueName)) {
      for (const state of ['pending', 'unconsumed', 'retrying', 'failed'] as const) outboxMessages.set({ queue: name, state }, 0);
    }
    for (const c of await this.outbox.counts()) {
      for (const state of ['pending', 'unconsumed', 'retrying', 'failed'] as const) outboxMessages.set({ queue: c.queue, state }, c[state]);
    }
  }

  private async queueMetrics(): Promise<void> {
    try {
      this.queues ??= Object.values(QueueName).map((name) => {
        const q = new Queue(name, { connection: this.redis, prefix: this.cfg.QUEUE_PREFIX });
        q.on('error', () => undefined); // reported by the call that failed
        return q;
      });
      for (const q of this.queues) {
        const counts = await withinMs(q.getJobCounts(...JOB_STATES), 2000);
        for (const state of JOB_STATES) queueJobs.set({ queue: q.name, state }, counts[state] ?? 0);
      }
      // The daily schedules' next runs, as Redis holds them (the worker serves no /metrics): 0 for one missing.
      const byName = new Map(this.queues.map((q) => [q.name, q]));
      await readScheduleNextRuns((name) => byName.get(name) as Queue);
      queueReachable.set(1);
    } catch {
      queueReachable.set(0);
    }
  }
}
