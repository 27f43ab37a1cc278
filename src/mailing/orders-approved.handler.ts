import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { OutboxService } from '../common/outbox/outbox.service';
import { JobHandler, JobLogger } from '../common/queue/job-handler';
import { JobPayloads, QueueName } from '../common/queue/queues';
import { CodeVaultService } from './code-vault.service';

/**
 * Orders approved (one by an operator or by policy, or a chunk of a renewal sweep): their
 * codes are drawn and sealed in the transaction that marks the message consumed, so a
 * redelivery finds them issued and the message consumed, and changes nothing.
 */
@Injectable()
export class OrdersApprovedHandler implements JobHandler {
  readonly queue = QueueName.Mailing;
  readonly jobName = 'orders.approved';
  readonly concurrency = 4;

  constructor(
    private readonly ds: DataSource,
    private readonly vault: CodeVaultService,
    private readonly outbox: OutboxService,
  ) {}

  async handle(job: Job<JobPayloads['orders.approved']>, log: JobLogger): Promise<{ orders: number; issued: number }> {
    const r = await this.consume(job.data.orderIds, job);
    log.info(r, 'codes issued for approved orders');
    return r;
  }

  /** `job`: the delivery, marked consumed in the transaction that issues the codes. */
  async consume(orderIds: string[], job?: { id?: string }): Promise<{ orders: number; issued: number }> {
    return this.ds.transaction(async (em) => {
      const issued = await this.vault.issue(em, orderIds);
      await this.outbox.markConsumed(em, job);
      return { orders: orderIds.length, issued: issued.length };
    });
  }
}
