import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobsService } from '../common/jobs/jobs.service';
import { JobHandler, JobLogger } from '../common/queue/job-handler';
import { JobPayloads, QueueName } from '../common/queue/queues';
import { RppsImportQueueService } from './rpps-import-queue.service';

/** Worker side of `rpps.import.requested`: runs the queued import with the shared service. */
@Injectable()
export class RppsImportHandler implements JobHandler {
  readonly queue = QueueName.RppsImport;
  readonly jobName = 'rpps.import.requested';
  readonly concurrency = 1;

  constructor(
    private readonly imports: RppsImportQueueService,
    private readonly jobs: JobsService,
  ) {}

  async handle(job: Job<JobPayloads['rpps.import.requested']>, log: JobLogger) {
    const r = await this.imports.runQueued(job.data.jobRunId);
    if (!r) {
      log.info({ jobRunId: job.data.jobRunId }, 'already done; nothing to do');
      return { skipped: true };
    }
    await job.updateProgress(100);
    return { importId: r.importId, status: r.status, events: r.events };
  }

  /** A shutdown abandoned the import (nothing applied): its job run waits for the job to run again. */
  async onInterrupted(job: Job<JobPayloads['rpps.import.requested']>): Promise<void> {
    await this.jobs.requeue(job.data.jobRunId, 'interrupted by a worker shutdown; it runs again');
  }
}
