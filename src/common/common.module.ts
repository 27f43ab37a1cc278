import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type IORedis from 'ioredis';
import { AuditService } from './audit/audit.service';
import { AuditCheckpoints } from './audit/audit-checkpoints.service';
import { AuditSequencer } from './audit/audit-sequencer.service';
import { AuthFailures } from './auth/auth-failures';
import { TokensService } from './auth/tokens.service';
import { AppConfig } from './config/config';
import { APP_CONFIG } from './config/config.module';
import { JobsService } from './jobs/jobs.service';
import { OutboxService } from './outbox/outbox.service';
import { redisConnection } from './queue/redis';

export const REDIS = Symbol('REDIS');

/** Services every module uses: audit trail (and its sequencer, started by the worker only), outbox, job runs, tokens, the Redis connection. */
@Global()
@Module({
  providers: [
    AuditService,
    AuditCheckpoints,
    AuditSequencer,
    OutboxService,
    JobsService,
    TokensService,
    AuthFailures,
    { provide: REDIS, inject: [APP_CONFIG], useFactory: (cfg: AppConfig) => redisConnection(cfg.REDIS_URL) },
  ],
  exports: [AuditService, AuditCheckpoints, AuditSequencer, OutboxService, JobsService, TokensService, AuthFailures, REDIS],
})
export class CommonModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: IORedis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
