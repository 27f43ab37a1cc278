import { Module } from '@nestjs/common';
import { RppsModule } from '../rpps/rpps.module';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

/** Orders and cards: see design.md. */
@Module({
  imports: [RppsModule],
  controllers: [OrdersController],
  providers: [OrdersService],
  exports: [OrdersService],
})
export class OrdersModule {}
