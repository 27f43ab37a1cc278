import { Module } from '@nestjs/common';
import { RppsModule } from '../rpps/rpps.module';
import { CardsController } from './cards.controller';
import { CardsService } from './cards.service';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';
import { ProfessionalsController } from './professionals.controller';
import { RegistryEventsConsumer } from './registry-events.consumer';
import { RenewalsProcessor } from './renewals.processor';
import { RenewalsService } from './renewals.service';

/** Orders and cards: see design.md. */
@Module({
  imports: [RppsModule],
  controllers: [OrdersController, CardsController, ProfessionalsController],
  providers: [OrdersService, CardsService, RenewalsService, RegistryEventsConsumer, RenewalsProcessor],
  exports: [OrdersService, CardsService, RenewalsService, RegistryEventsConsumer, RenewalsProcessor],
})
export class OrdersModule {}
