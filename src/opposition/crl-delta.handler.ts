import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { OutboxService } from '../common/outbox/outbox.service';
import { JobHandler, JobLogger } from '../common/queue/job-handler';
import { QueueName } from '../common/queue/queues';
import { CrlPublisher } from './crl-publisher.service';

/** Delta CRLs, debounced after oppositions (see topicJobOptions). Provided by CrlSigningModule (it signs). */
@Injectable()
export class CrlDeltaHandler implements JobHandler {
  readonly queue = QueueName.Crl;
  readonly jobName = 'crl.delta-requested';

  constructor(
    private readonly publisher: CrlPublisher,
    private readonly ds: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  async handle(_job: Job, log: JobLogger) {
    // The delta lists everything opposed since its base: it answers every request committed before it.
    const answered = await this.outbox.unconsumed(this.ds.manager, 'crl.delta-requested');
    const r = await this.publisher.publishDelta('system:crl');
    await this.outbox.markConsumedIds(this.ds.manager, answered);
    log.info({ crlNumber: r.crlNumber, entries: r.entries, skipped: r.skipped, seconds: r.seconds }, 'delta CRL');
    return { crlNumber: r.crlNumber, entries: r.entries, skipped: r.skipped ?? null };
  }
}
