import { Module } from '@nestjs/common';

/** CardPersonalization: see design.md (built by later issues). */
@Module({})
export class CardPersonalizationModule {}
