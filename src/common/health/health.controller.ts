import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type IORedis from 'ioredis';
import { Public } from '../auth/roles.decorator';
import { REDIS } from '../common.module';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: IORedis,
  ) {}

  /** 200 when PostgreSQL and Redis answer, 503 otherwise (no token needed). */
  @Get()
  @Public()
  @HealthCheck()
  check() {
    return this.health.check([
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
  }
}
