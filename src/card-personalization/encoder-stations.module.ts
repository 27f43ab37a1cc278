import { DynamicModule, Module } from '@nestjs/common';
import { CodeVaultModule, type CodeVaultOptions } from '../mailing/code-vault.module';
import { OrdersModule } from '../orders/orders.module';
import { CardPersonalizationModule } from './card-personalization.module';
import { PersonalizationService } from './personalization.service';

/**
 * The encoder stations, which take codes from the vault: imported by the entry points that
 * personalize (the worker, the CLI), never by the HTTP API (which only lists the fleet).
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static register.
export class EncoderStationsModule {
  static register(vault: CodeVaultOptions): DynamicModule {
    return {
      module: EncoderStationsModule,
      imports: [CodeVaultModule.register(vault), CardPersonalizationModule, OrdersModule],
      providers: [PersonalizationService],
      exports: [PersonalizationService],
    };
  }
}
