import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobHandler, JobLogger } from '../common/queue/job-handler';
import { QueueName } from '../common/queue/queues';
import { OppositionsService } from './oppositions.service';

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
