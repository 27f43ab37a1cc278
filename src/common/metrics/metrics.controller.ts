import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../auth/roles.decorator';
import { outboxPending, registry } from './metrics';

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly ds: DataSource) {}

  @Get()
  @Public()
  @Header('Content-Type', registry.contentType)
  async metrics(): Promise<string> {
    try {
      const [r] = await this.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`);
      outboxPending.set(r.n);
    } catch {
      // the database being down must not hide the other metrics
    }
    return registry.metrics();
  }
}
