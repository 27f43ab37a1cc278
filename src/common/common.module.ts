import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type IORedis from 'ioredis';
import { AuditService } from './audit/audit.service';
import { TokensService } from './auth/tokens.service';
import { AppConfig } from './config/config';
import { APP_CONFIG, ConfigModule } from './config/config.module';
import { JobsService } from './jobs/jobs.service';
import { OutboxService } from './outbox/outbox.service';
import { OutboxMonitor } from './outbox/outbox-monitor';
import { failFastRedisConnection } from './queue/redis';

export const REDIS = Symbol('REDIS');

/** Services every module uses: audit trail, outbox, job runs, tokens, the Redis connection (of the API and CLI: fail-fast). */
@Global()
@Module({
  imports: [ConfigModule],
  providers: [
    AuditService,
    OutboxService,
    JobsService,
    TokensService,
    OutboxMonitor,
    {
      // Fails fast while Redis is away (a route that needs it answers 503 within seconds), and reconnects by itself.
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (cfg: AppConfig) => failFastRedisConnection(cfg.REDIS_URL).on('error', () => undefined),
    },
  ],
  exports: [AuditService, OutboxService, OutboxMonitor, JobsService, TokensService, REDIS],
})
export class CommonModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: IORedis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
