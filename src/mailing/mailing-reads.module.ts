import { Global, Module } from '@nestjs/common';
import { CardLettersReader } from '../orders/card-letters';
import { MailingReadsService } from './mailing-reads.service';

/**
 * The mailing's read side, global: the orders module's card and order views take the letters
 * of cards from it (CardLettersReader, declared by orders) without importing the mailing module,
 * which sits above theirs (design.md). It reads no code.
 */
@Global()
@Module({
  providers: [MailingReadsService, { provide: CardLettersReader, useExisting: MailingReadsService }],
  exports: [MailingReadsService, CardLettersReader],
})
export class MailingReadsModule {}
