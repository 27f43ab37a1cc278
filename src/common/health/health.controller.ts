import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type IORedis from 'ioredis';
import { Public } from '../auth/roles.decorator';
import { REDIS } from '../common.module';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Drain } from './drain';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: IORedis,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly drain: Drain,
  ) {}

  /**
   * 200 when PostgreSQL and Redis answer, 503 otherwise (no token needed). The answer names
   * the profile (NODE_ENV), so that a development issuer in production shows at a glance.
   * 503 too while the process drains before stopping (SHUTDOWN_DRAIN_SECONDS), naming `shutdown`.
   */
  @Get()
  @Public()
  @HealthCheck()
  async check() {
    const result = await this.health.check([
      ...(this.drain.draining ? [() => this.indicators.check('shutdown').down({ message: 'draining: this process is stopping' })] : []),
      () => this.db.pingCheck('database', { timeout: 2000 }),
      async () => {
        const i = this.indicators.check('redis');
        try {
          const pong = await Promise.race([
            this.redis.ping(),
            new Promise<string>((_, reject) => setTimeout(() => reject(new Error('timeout after 2000 ms')), 2000)),
          ]);
          return pong === 'PONG' ? i.up() : i.down({ message: `unexpected answer ${pong}` });
        } catch (e) {
          return i.down({ message: (e as Error).message });
        }
      },
    ]);
    return { ...result, profile: this.cfg.NODE_ENV };
  }
}
