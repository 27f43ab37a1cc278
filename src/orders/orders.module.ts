import { Module } from '@nestjs/common';
import { RppsModule } from '../rpps/rpps.module';
import { CardsController } from './cards.controller';
import { CardsService } from './cards.service';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';
import { RenewalsService } from './renewals.service';

/** Orders and cards: see design.md. */
@Module({
  imports: [RppsModule],
  controllers: [OrdersController, CardsController],
  providers: [OrdersService, CardsService, RenewalsService],
  exports: [OrdersService, CardsService, RenewalsService],
})
export class OrdersModule {}
