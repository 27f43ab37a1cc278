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
import { OutboxMonitor } from './outbox/outbox-monitor';
import { failFastRedisConnection } from './queue/redis';

export const REDIS = Symbol('REDIS');

/** Services every module uses: audit trail (and its sequencer, started by the worker only), outbox, job runs, tokens, the Redis connection (of the API and CLI: fail-fast). */
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
    OutboxMonitor,
    {
      // Fails fast while Redis is away (a route that needs it answers 503 within seconds), and reconnects by itself.
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (cfg: AppConfig) => failFastRedisConnection(cfg.REDIS_URL).on('error', () => undefined),
    },
  ],
  exports: [AuditService, AuditCheckpoints, AuditSequencer, OutboxService, OutboxMonitor, JobsService, TokensService, AuthFailures, REDIS],
})
export class CommonModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: IORedis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
