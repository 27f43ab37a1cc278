import { Inject, Injectable } from '@nestjs/common';
import { type Job, Queue } from 'bullmq';
import type IORedis from 'ioredis';
import { REDIS } from '../common/common.module';
import { AppConfig } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { DAILY_JOB_OPTIONS } from '../common/queue/daily-job-options';
import { JobHandler, JobLogger } from '../common/queue/job-handler';
import { DailyScheduleId, QueueName } from '../common/queue/queues';
import { RetentionService } from './retention.service';

export const RETENTION_SCHEDULER_ID: DailyScheduleId = 'daily-retention';

/** Failed jobs removed per call of Queue.clean. */
const CLEAN_BATCH = 1000;

/**
 * Removes the failed jobs of every queue that failed more than `olderThanMs` ago, a batch at a
 * time; gives how many. BullMQ trims its failed jobs (removeOnFail) only when another job fails:
 * this bounds the time whatever happens next.
 */
export async function removeOldFailedJobs(connection: IORedis, prefix: string, olderThanMs: number): Promise<number> {
  let removed = 0;
  for (const name of Object.values(QueueName)) {
    const queue = new Queue(name, { connection, prefix });
    queue.on('error', () => undefined);
    try {
      for (;;) {
        const ids = await queue.clean(olderThanMs, CLEAN_BATCH, 'failed');
        removed += ids.length;
        if (ids.length < CLEAN_BATCH) break;
      }
    } finally {
      await queue.close();
    }
  }
  return removed;
}

/** The daily purge (retention:run does the same by hand, without the failed BullMQ jobs), run by a BullMQ job scheduler. */
@Injectable()
export class RetentionHandler implements JobHandler {
  readonly queue = QueueName.Maintenance;
  readonly jobName = 'retention.run';

  constructor(
    private readonly retention: RetentionService,
    @Inject(REDIS) private readonly redis: IORedis,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  async handle(_job: Job, log: JobLogger) {
    const r = await this.retention.run({
      actor: 'system:scheduler',
      failedJobs: () => removeOldFailedJobs(this.redis, this.cfg.QUEUE_PREFIX, this.cfg.RETENTION_FAILED_JOBS_DAYS * 86_400_000),
    });
    log.info({ ...r }, 'retention purge done');
    return r;
  }

  /** Declares (or updates) the daily schedule; idempotent, so every worker may call it at start. */
  static async schedule(queue: Queue, pattern: string): Promise<void> {
    await queue.upsertJobScheduler(
      RETENTION_SCHEDULER_ID,
      { pattern, tz: 'Europe/Paris' },
      { name: 'retention.run', data: {}, opts: DAILY_JOB_OPTIONS },
    );
  }
}
