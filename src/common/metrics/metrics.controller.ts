import { Controller, Get, Header, Inject } from '@nestjs/common';
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
import { outboxMessages, outboxPending, queueJobs, queueReachable, registry } from './metrics';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
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
    // The database or Redis being down must not hide the other metrics.
    await Promise.all([this.outboxMetrics().catch(() => undefined), this.queueMetrics()]);
    return registry.metrics();
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
      for (const name of Object.values(QueueName)) {
        const q = new Queue(name, { connection: this.redis, prefix: this.cfg.QUEUE_PREFIX });
        q.on('error', () => undefined); // reported by the call that failed
        try {
          const counts = await withinMs(q.getJobCounts(...JOB_STATES), 2000);
          for (const state of JOB_STATES) queueJobs.set({ queue: name, state }, counts[state] ?? 0);
        } finally {
          await q.close().catch(() => undefined);
        }
      }
      queueReachable.set(1);
    } catch {
      queueReachable.set(0);
    }
  }
}
