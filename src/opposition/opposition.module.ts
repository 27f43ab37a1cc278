import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { RppsModule } from '../rpps/rpps.module';
import { CrlController } from './crl.controller';
import { CrlCache } from './crl-cache.service';
import { CrlStore } from './crl-store.service';
import { CrlsController } from './crls.controller';
import { ExpiryHandler } from './expiry.handler';
import { ExpiryService } from './expiry.service';
import { OppositionRequestsHandler } from './opposition-requests.handler';
import { OppositionsController } from './oppositions.controller';
import { OppositionsService } from './oppositions.service';

/**
 * Opposition: see design.md. Holds no CRL key: the CRLs are served from the database
 * (CrlStore, CrlCache); signing them is CrlSigningModule's, which only the worker and the
 * CLI import.
 */
@Module({
  imports: [RppsModule, OrdersModule],
  controllers: [OppositionsController, CrlController, CrlsController],
  providers: [OppositionsService, ExpiryService, CrlStore, CrlCache, OppositionRequestsHandler, ExpiryHandler],
  exports: [OppositionsService, ExpiryService, CrlStore, OppositionRequestsHandler, ExpiryHandler],
})
export class OppositionModule {}
