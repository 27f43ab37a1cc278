import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { DAILY_JOB_OPTIONS } from '../common/queue/daily-job-options';
import { JobHandler, JobLogger } from '../common/queue/job-handler';
import { DailyScheduleId, QueueName } from '../common/queue/queues';
import { CrlPublisher } from './crl-publisher.service';
import { OppositionsService } from './oppositions.service';

export const CRL_SCHEDULER_ID: DailyScheduleId = 'daily-full-crl';

/**
 * The rule for catching up (one rule, whatever the CRL's nextUpdate): the latest full CRL is stale when its thisUpdate
 * is this many hours old or more. The daily run publishes one every 24 h; an hour less leaves room for a run that took
 * its time, so a CRL published by yesterday's run at the usual hour never counts as stale.
 */
export const CRL_FULL_STALE_HOURS = 23;

/**
 * The daily full CRL (crl:publish does the same by hand); also published at once whenever the schedule is (re-)created
 * (a worker's start, or the ScheduleKeeper after Redis lost the schedule) and the database holds no full CRL to serve
 * (none yet, or only ones published before CRLs were kept there) or only a stale one (CRL_FULL_STALE_HOURS): the day's
 * run, lost with the schedule, is not skipped. Provided by CrlSigningModule.
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
    // Workers starting (or re-creating the schedule) at once add one job between them (deduplicated while it waits or
    // runs); once it has run the CRL is fresh, so the next check adds none.
    if (!(await publisher.hasFreshStoredFull(CRL_FULL_STALE_HOURS))) {
      await queue.add('crl.publish', {}, { ...DAILY_JOB_OPTIONS, deduplication: { id: 'crl-full-at-start' } });
    }
  }
}
