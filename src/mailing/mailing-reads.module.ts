import { Global, Module } from '@nestjs/common';
import { CardLettersReader } from '../orders/card-letters';
import { MailingReadsService } from './mailing-reads.service';

/**
 * The mailing's read side, global: the orders module's card and order views take the letters
 * of cards from it (CardLettersReader, declared by orders) without importing the mailing module,
 * which sits above theirs (design.md). It reads no code. Only that interface is global: the
 * mailing module provides its own MailingReadsService for its routes.
 */
@Global()
@Module({
  providers: [MailingReadsService, { provide: CardLettersReader, useExisting: MailingReadsService }],
  exports: [CardLettersReader],
})
export class MailingReadsModule {}
