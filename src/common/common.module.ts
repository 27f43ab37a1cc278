import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type IORedis from 'ioredis';
import { AuditService } from './audit/audit.service';
import { AuditCheck } from './audit/audit-check.service';
import { AuditCheckpoints } from './audit/audit-checkpoints.service';
import { AuditSequencer } from './audit/audit-sequencer.service';
import { AuthFailures } from './auth/auth-failures';
import { ConsoleAccountsService } from './auth/console-accounts.service';
import { ConsoleSessionsService } from './auth/console-sessions.service';
import { PasswordChecks } from './auth/password-checks';
import { TokensService } from './auth/tokens.service';
import { AppConfig } from './config/config';
import { APP_CONFIG } from './config/config.module';
import { JobsService } from './jobs/jobs.service';
import { OutboxService } from './outbox/outbox.service';
import { OutboxMonitor } from './outbox/outbox-monitor';
import { failFastRedisConnection } from './queue/redis';

export const REDIS = Symbol('REDIS');

const SERVICES = [
  AuditService,
  AuditCheck,
  AuditCheckpoints,
  AuditSequencer,
  OutboxService,
  JobsService,
  TokensService,
  ConsoleAccountsService,
  ConsoleSessionsService,
  AuthFailures,
  PasswordChecks,
  OutboxMonitor,
];

/**
 * Services every module uses: audit trail (and its sequencer, started by the worker only),
 * outbox, job runs, tokens, console accounts and sessions, and the Redis connection of the API (fail-fast). The CLI's
 * connection is made on demand (`redisAtStart: false`): no CLI command uses Redis (work it
 * queues goes through the outbox), so a CLI run never connects to it.
 */
@Global()
@Module({})
export class CommonModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: IORedis) {}

  static forRoot(opts: { redisAtStart: boolean }): DynamicModule {
    return {
      module: CommonModule,
      providers: [
        ...SERVICES,
        {
          // Fails fast while Redis is away (a route that needs it answers 503 within seconds), and reconnects by itself.
          provide: REDIS,
          inject: [APP_CONFIG],
          useFactory: (cfg: AppConfig) =>
            failFastRedisConnection(cfg.REDIS_URL, 2000, { lazyConnect: !opts.redisAtStart }).on('error', () => undefined),
        },
      ],
      exports: [...SERVICES, REDIS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    // A connection made on demand and never used has nothing to close (quit() would connect it).
    if (this.redis.status === 'wait') return this.redis.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
