import { Module } from '@nestjs/common';
import { AppConfig } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { OrdersModule } from '../orders/orders.module';
import { RppsModule } from '../rpps/rpps.module';
import { CrlController } from './crl.controller';
import { CrlDeltaHandler } from './crl-delta.handler';
import { CrlFullHandler } from './crl-full.handler';
import { CrlPublisher } from './crl-publisher.service';
import { CRL_SIGNER, loadCrlSigner } from './crl-signer';
import { ExpiryHandler } from './expiry.handler';
import { OppositionRequestsHandler } from './opposition-requests.handler';
import { OppositionsController } from './oppositions.controller';
import { OppositionsService } from './oppositions.service';

/** Opposition: see design.md. */
@Module({
  imports: [RppsModule, OrdersModule],
  controllers: [OppositionsController, CrlController],
  providers: [
    {
      provide: CRL_SIGNER,
      inject: [APP_CONFIG],
      useFactory: async (cfg: AppConfig) =>
        (await loadCrlSigner({ keyFile: cfg.CRL_SIGNING_KEY_FILE, certFile: cfg.CRL_ISSUER_CERT_FILE, dataDir: cfg.DATA_DIR })).signer,
    },
    OppositionsService,
    CrlPublisher,
    OppositionRequestsHandler,
    ExpiryHandler,
    CrlDeltaHandler,
    CrlFullHandler,
  ],
  exports: [OppositionsService, CrlPublisher, OppositionRequestsHandler, ExpiryHandler, CrlDeltaHandler, CrlFullHandler],
})
export class OppositionModule {}
