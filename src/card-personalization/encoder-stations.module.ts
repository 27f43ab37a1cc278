import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { CardPersonalizationModule } from './card-personalization.module';
import { PersonalizationService } from './personalization.service';

/**
 * The encoder stations, which take codes from the vault: imported by the entry points that
 * personalize (the worker, the CLI), never by the HTTP API (which only lists the fleet). The
 * vault is the process's one CodeVaultModule.forRoot (global), registered by the same entry
 * point: an entry point importing this module without it fails at start (PersonalizationService
 * cannot get its CodeVaultService).
 */
@Module({
  imports: [CardPersonalizationModule, OrdersModule],
  providers: [PersonalizationService],
  exports: [PersonalizationService],
})
export class EncoderStationsModule {}
