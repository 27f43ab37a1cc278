import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { RppsModule } from '../rpps/rpps.module';
import { RetentionHandler } from './retention.handler';
import { RetentionService } from './retention.service';

/** Retention: the purge of what is past its time (worker: daily job; CLI: retention:run). Each table's owner deletes its own rows. */
@Module({
  imports: [RppsModule, OrdersModule],
  providers: [RetentionService, RetentionHandler],
  exports: [RetentionService, RetentionHandler],
})
export class RetentionModule {}
