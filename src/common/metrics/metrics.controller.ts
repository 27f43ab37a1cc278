import { Controller, Get, Header, Inject, OnModuleDestroy } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '../auth/roles.decorator';
import { REDIS } from '../common.module';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { OutboxMonitor } from '../outbox/outbox-monitor';
import { registry } from './metrics';
import { MetricsRefresher } from './metrics-refresher';

@ApiExcludeController()
@Controller('metrics')
export class MetricsController implements OnModuleDestroy {
  private readonly refresher: MetricsRefresher;

  constructor(ds: DataSource, outbox: OutboxMonitor, @Inject(REDIS) redis: IORedis, @Inject(APP_CONFIG) cfg: AppConfig) {
    this.refresher = new MetricsRefresher(ds, outbox, redis, cfg.QUEUE_PREFIX);
  }

  @Get()
  @Public()
  @Header('Content-Type', registry.contentType)
  metrics(): Promise<string> {
    return this.refresher.metrics();
  }

  onModuleDestroy(): Promise<void> {
    return this.refresher.close();
  }
}
