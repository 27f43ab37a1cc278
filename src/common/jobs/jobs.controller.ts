import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Queue } from 'bullmq';
import type IORedis from 'ioredis';
import { Roles } from '../auth/roles.decorator';
import { REDIS } from '../common.module';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { JobsQuery } from '../dto/common.dto';
import { QueueName } from '../queue/queues';
import { JobsService } from './jobs.service';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('api/v1/jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    @Inject(REDIS) private readonly redis: IORedis,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  /** Long runs (imports, sweeps, batches) with state and progress, and the queues' counts. */
  @Get()
  @Roles('operator', 'batch')
  async list(@Query() { kind, state }: JobsQuery) {
    const runs = await this.jobs.list({ kind, state });
    const queues: Record<string, Record<string, number>> = {};
    for (const name of Object.values(QueueName)) {
      const q = new Queue(name, { connection: this.redis, prefix: this.cfg.QUEUE_PREFIX });
      try {
        queues[name] = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
      } finally {
        await q.close();
      }
    }
    return { runs, queues };
  }
}
