import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { DAILY_JOB_OPTIONS } from '../common/queue/daily-job-options';
import { JobHandler, JobLogger } from '../common/queue/job-handler';
import { DailyScheduleId, QueueName } from '../common/queue/queues';
import { ExpiryService } from './expiry.service';

export const EXPIRY_SCHEDULER_ID: DailyScheduleId = 'daily-expiry-sweep';

/**
 * The daily expiry sweep (expiry:run does the same by hand). A sweep past EXPIRY_MAX_SHARE
 * is held: its job run says so (state `held` in GET /api/v1/jobs), nothing is opposed, and
 * the job ends without a retry; someone at the host confirms it with expiry:run.
 */
@Injectable()
export class ExpiryHandler implements JobHandler {
  readonly queue = QueueName.Opposition;
  readonly jobName = 'expiry.run';

  constructor(private readonly expiry: ExpiryService) {}

  async handle(_job: Job, log: JobLogger) {
    const r = await this.expiry.expire({ actor: 'system:scheduler' });
    if (r.status === 'held') log.warn({ ...r }, 'expiry sweep held: nothing opposed');
    else log.info({ ...r }, 'expiry sweep done');
    return r;
  }

  static async schedule(queue: Queue, pattern: string): Promise<void> {
    await queue.upsertJobScheduler(
      EXPIRY_SCHEDULER_ID,
      { pattern, tz: 'Europe/Paris' },
      { name: 'expiry.run', data: {}, opts: DAILY_JOB_OPTIONS },
    );
  }
}
