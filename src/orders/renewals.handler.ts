import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { JobHandler, JobLogger } from '../common/queue/job-handler';
import { DailyScheduleId, QueueName } from '../common/queue/queues';
import { RenewalsService } from './renewals.service';

export const RENEWAL_SCHEDULER_ID: DailyScheduleId = 'daily-renewal-sweep';

/** The daily renewal sweep, run by a BullMQ job scheduler (renewals:run does the same by hand). */
@Injectable()
export class RenewalsHandler implements JobHandler {
  readonly queue = QueueName.Renewals;
  readonly jobName = 'renewals.run';

  constructor(private readonly renewals: RenewalsService) {}

  async handle(_job: Job, log: JobLogger) {
    const r = await this.renewals.run({ actor: 'system:scheduler' });
    log.info({ ...r }, 'renewal sweep done');
    return r;
  }

  /** Declares (or updates) the daily schedule; idempotent, so every worker may call it at start. */
  static async schedule(queue: Queue, pattern: string): Promise<void> {
    await queue.upsertJobScheduler(
      RENEWAL_SCHEDULER_ID,
      { pattern, tz: 'Europe/Paris' },
      {
        name: 'renewals.run',
        data: {},
        opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      },
    );
  }
}
