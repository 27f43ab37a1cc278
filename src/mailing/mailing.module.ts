import { Module } from '@nestjs/common';

/** Mailing: see design.md (built by later issues). */
@Module({})
export class MailingModule {}
