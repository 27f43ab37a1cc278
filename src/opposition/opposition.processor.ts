import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { OutboxService } from '../common/outbox/outbox.service';
import { JobHandler, JobLogger } from '../common/queue/job-handler';
import { QueueName } from '../common/queue/queues';
import { CrlPublisher } from './crl-publisher.service';
import { OppositionsService } from './oppositions.service';

export const EXPIRY_SCHEDULER_ID = 'daily-expiry-sweep';
export const CRL_SCHEDULER_ID = 'daily-full-crl';
/** Daily jobs: kept for a while, and retried (a day without a fresh CRL would leave relying parties with a stale one). */
const DAILY = {
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
  attempts: 6,
  backoff: { type: 'exponential', delay: 60_000 },
};

/** Opposition requests from the orders module (cessation, replacement, cards imported opposed). */
@Injectable()
export class OppositionRequestsHandler implements JobHandler {
  readonly queue = QueueName.Opposition;
  readonly jobName = 'card.opposition-requested';

  constructor(private readonly oppositions: OppositionsService) {}

  async handle(_job: Job, log: JobLogger) {
    const r = await this.oppositions.handleRequests();
    log.info({ ...r }, 'opposition requests handled');
    return r;
  }
}

/** The daily expiry sweep (expiry:run does the same by hand). */
@Injectable()
export class ExpiryProcessor implements JobHandler {
  readonly queue = QueueName.Opposition;
  readonly jobName = 'expiry.run';

  constructor(private readonly oppositions: OppositionsService) {}

  async handle(_job: Job, log: JobLogger) {
    const r = await this.oppositions.expire({ actor: 'system:scheduler' });
    log.info({ ...r }, 'expiry sweep done');
    return r;
  }

  static async schedule(queue: Queue, pattern: string): Promise<void> {
    await queue.upsertJobScheduler(EXPIRY_SCHEDULER_ID, { pattern, tz: 'Europe/Paris' }, { name: 'expiry.run', data: {}, opts: DAILY });
  }
}

/** Delta CRLs, debounced after oppositions (see topicJobOptions). */
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

/** The daily full CRL (crl:publish does the same by hand); also published at a worker's start when there is none. */
@Injectable()
export class CrlFullProcessor implements JobHandler {
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
    await queue.upsertJobScheduler(CRL_SCHEDULER_ID, { pattern, tz: 'Europe/Paris' }, { name: 'crl.publish', data: {}, opts: DAILY });
    if (!(await publisher.current('full'))) await queue.add('crl.publish', {}, DAILY);
  }
}
