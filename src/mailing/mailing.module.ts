import { Module } from '@nestjs/common';

/**
 * Mailing: see design.md. The PIN/PUK vault is CodeVaultModule, registered by the worker and the
 * CLI only (never the API); the letters come with issue 11.
 */
@Module({})
export class MailingModule {}
