import { Module } from '@nestjs/common';
import { RppsModule } from '../rpps/rpps.module';
import { CardBaseImportService } from './card-base-import.service';
import { CardsController } from './cards.controller';
import { CardsService } from './cards.service';
import { OppositionRequestsService } from './opposition-requests.service';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';
import { PersonalizationOrdersService } from './personalization-orders.service';
import { ProfessionalsController } from './professionals.controller';
import { RegistryEventsHandler } from './registry-events.handler';
import { RenewalsHandler } from './renewals.handler';
import { RenewalsService } from './renewals.service';
import { SearchService } from './search.service';
import { TimelinesService } from './timelines.service';

/** What the module makes and lends to the others (opposition, mailing, personalization, the CLI). */
const SERVICES = [
  OrdersService,
  CardsService,
  CardBaseImportService,
  OppositionRequestsService,
  RenewalsService,
  RegistryEventsHandler,
  RenewalsHandler,
  PersonalizationOrdersService,
];

/**
 * Orders and cards: see design.md. The card and order views (TimelinesService) show their
 * letters through CardLettersReader, which the mailing module provides (MailingReadsModule,
 * global): orders never imports mailing.
 */
@Module({
  imports: [RppsModule],
  controllers: [OrdersController, CardsController, ProfessionalsController],
  providers: [...SERVICES, TimelinesService, SearchService],
  exports: SERVICES,
})
export class OrdersModule {}
