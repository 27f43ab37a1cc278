import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobHandler, JobLogger } from '../common/queue/job-handler';
import { QueueName } from '../common/queue/queues';
import { CrlPublisher } from './crl-publisher.service';

/** Delta CRLs, debounced after oppositions (see topicJobOptions). Provided by CrlSigningModule (it signs). */
@Injectable()
export class CrlDeltaHandler implements JobHandler {
  readonly queue = QueueName.Crl;
  readonly jobName = 'crl.delta-requested';

  constructor(private readonly publisher: CrlPublisher) {}

  async handle(_job: Job, log: JobLogger) {
    const r = await this.publisher.publishDelta('system:crl');
    log.info({ crlNumber: r.crlNumber, entries: r.entries, skipped: r.skipped, seconds: r.seconds }, 'delta CRL');
    return { crlNumber: r.crlNumber, entries: r.entries, skipped: r.skipped ?? null };
  }
}
