import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { MailingController } from './mailing.controller';
import { MailingLettersService } from './mailing-letters.service';
import { MailingReadsModule } from './mailing-reads.module';
import { MailingReadsService } from './mailing-reads.service';

/**
 * Mailing: see design.md. What needs no code (printing recorded, returned mail, reprint
 * requests, the batches and letters read back) is here, in every process; the PIN/PUK vault
 * and the batches that print codes are CodeVaultModule, registered by the worker and the CLI
 * only (never the API).
 */
@Module({
  imports: [OrdersModule, MailingReadsModule],
  controllers: [MailingController],
  providers: [MailingLettersService, MailingReadsService],
  exports: [MailingLettersService],
})
export class MailingModule {}
