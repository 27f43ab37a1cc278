import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { DAILY_JOB_OPTIONS } from '../common/queue/daily-job-options';
import { JobHandler, JobLogger } from '../common/queue/job-handler';
import { DailyScheduleId, QueueName } from '../common/queue/queues';
import { CrlPublisher } from './crl-publisher.service';
import { OppositionsService } from './oppositions.service';

export const CRL_SCHEDULER_ID: DailyScheduleId = 'daily-full-crl';

/**
 * The daily full CRL (crl:publish does the same by hand); also published at a worker's start when the database holds no
 * full CRL to serve (none yet, or only ones published before CRLs were kept there). Provided by CrlSigningModule.
 */
@Injectable()
export class CrlFullHandler implements JobHandler {
  readonly queue = QueueName.Crl;
  readonly jobName = 'crl.publish';

  constructor(
    private readonly publisher: CrlPublisher,
    private readonly oppositions: OppositionsService,
  ) {}

  async handle(_job: Job, log: JobLogger) {
    await this.oppositions.handleRequests();
    const r = await this.publisher.publishFull('system:scheduler');
    log.info({ crlNumber: r.crlNumber, entries: r.entries, seconds: r.seconds }, 'full CRL published');
    return { crlNumber: r.crlNumber, entries: r.entries };
  }

  static async schedule(queue: Queue, pattern: string, publisher: CrlPublisher): Promise<void> {
    await queue.upsertJobScheduler(
      CRL_SCHEDULER_ID,
      { pattern, tz: 'Europe/Paris' },
      { name: 'crl.publish', data: {}, opts: DAILY_JOB_OPTIONS },
    );
    // Workers starting at once add one job between them (deduplicated while it waits or runs).
    if (!(await publisher.hasStoredFull())) {
      await queue.add('crl.publish', {}, { ...DAILY_JOB_OPTIONS, deduplication: { id: 'crl-full-at-start' } });
    }
  }
}
