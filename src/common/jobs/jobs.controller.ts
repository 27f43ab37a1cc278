import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Queue } from 'bullmq';
import type IORedis from 'ioredis';
import { Roles } from '../auth/roles.decorator';
import { REDIS } from '../common.module';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { JobRunDetail, JobsPage } from '../dto/answers.dto';
import { JobParams, JobsQuery } from '../dto/common.dto';
import { OutboxMonitor } from '../outbox/outbox-monitor';
import { queueUnavailable, withinMs } from '../queue/queue.errors';
import { QueueName } from '../queue/queues';
import { JobsService } from './jobs.service';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('api/v1/jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly outbox: OutboxMonitor,
    @Inject(REDIS) private readonly redis: IORedis,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  /**
   * Long runs (imports, sweeps, batches), latest first, one page of them (`page`, `pageSize`;
   * `total` counts the runs matching `kind` and `state`, up to LIST_COUNT_CAP: see
   * `totalIsLowerBound`), with state and progress (`state`:
   * queued, running, succeeded, failed with its `error`, or held for a person's decision);
   * the queues' counts; the
   * outbox messages whose delivery failed, with their error (`retrying`: relayed again after
   * OUTBOX_REDELIVERY_SECONDS; `failed`: refused for good). 503 `queue_unavailable` when
   * Redis cannot be reached.
   */
  @Get()
  @Roles('operator', 'batch')
  @ApiOkResponse({ type: JobsPage.Output })
  async list(@Query() { kind, state, page, pageSize }: JobsQuery) {
    const queues: Record<string, Record<string, number>> = {};
    try {
      for (const name of Object.values(QueueName)) {
        const q = new Queue(name, { connection: this.redis, prefix: this.cfg.QUEUE_PREFIX });
        q.on('error', () => undefined); // reported by the call that failed
        try {
          queues[name] = await withinMs(q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'), 2000);
        } finally {
          await q.close().catch(() => undefined);
        }
      }
    } catch (e) {
      throw queueUnavailable(e);
    }
    const [list, failedMessages] = await Promise.all([this.jobs.list({ kind, state, page, pageSize }), this.outbox.failures()]);
    return {
      runs: list.runs,
      page: list.page,
      pageSize: list.pageSize,
      total: list.total,
      totalIsLowerBound: list.totalIsLowerBound,
      queues,
      failedMessages,
    };
  }

  /** One job run (the `jobRunId` an import's answer gives): its state, progress, result or error. */
  @Get(':id')
  @Roles('operator', 'batch')
  @ApiOkResponse({ type: JobRunDetail.Output })
  get(@Param() { id }: JobParams) {
    return this.jobs.view(id);
  }
}
